// Tokenize files with a TextMate grammar as VS Code does (vscode-textmate on
// the Oniguruma WASM build), and print the tokens as JSON:
// [{"file": F, "lines": [[{"start": S, "end": E, "scopes": [...]}, ...], ...]}, ...]
// Usage: node tokenize.js GRAMMAR.json FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

async function main() {
	const [grammarPath, ...files] = process.argv.slice(2);
	const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
	await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
	const registry = new vsctm.Registry({
		onigLib: Promise.resolve({
			createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
			createOnigString: (s) => new oniguruma.OnigString(s),
		}),
		loadGrammar: async (scopeName) => {
			if (scopeName !== 'source.cors')
				return null;
			return vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath);
		},
	});
	const grammar = await registry.loadGrammar('source.cors');
	if (!grammar)
		throw new Error('grammar source.cors did not load');
	const out = [];
	for (const file of files) {
		let stack = vsctm.INITIAL;
		const lines = [];
		for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
			const r = grammar.tokenizeLine(line, stack);
			lines.push(r.tokens.map((t) => ({ start: t.startIndex, end: t.endIndex, scopes: t.scopes })));
			stack = r.ruleStack;
		}
		out.push({ file, lines });
	}
	process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
