/*
 * parser.y - the grammar of the policy language (SPEC section 1), a pure
 * bison parser over the reentrant scanner of lexer.l.  Grammar actions only
 * call the IR constructors of ir.h; what values mean is the validator's.
 *
 * Error handling.  Every syntax error is an E001 saying what probably went
 * wrong, in git style.  Where something is missing ("missing ';' after
 * 'origins' statement", "missing '}' ...", "missing value ..."), the error
 * points just after the previous token; where something is in the way
 * ("expected ',' or ';' after 'GET', found 'POST'"), it points at that token.
 * Recovery is bison's own, with 'error' productions as nftables has them:
 * in a policy, skip to ';' or to a statement keyword that starts a line (the
 * scanner side calls such a word KEY), '}', 'policy' or the end; after a bad
 * policy head, to '{' (or the same); outside any policy, to 'policy' or a
 * KEY (a stray statement, reported once each).  Bison discards the tokens in
 * between without a word; every recovery ends with yyerrok, and the error
 * cap of the diagnostic queue (DIAG_MAX_ERRORS) stops the parse.  The IR is
 * built as the parse goes, so a policy the parser recovered in is marked
 * damaged; all semantic values live in the arena of the ir_file, hence no
 * %destructor is needed.
 */

%code requires {
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "ir.h"

struct dsl_ctx;

/* A word or a string as the scanner saw it; text unescaped, in the arena. */
struct dsl_word {
	const char *text;
	size_t len;
	bool quoted;   /* a "string" */
	bool bad;      /* the scanner reported an error inside it */
};

/* The values of one statement, in order (arena). */
struct dsl_vnode {
	struct dsl_word w;
	struct span span;
	struct dsl_vnode *next;
};
struct dsl_vlist {
	struct dsl_vnode *head, *tail;
	size_t n;
};

/* The location of a rule covers its symbols from the first to the last. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                            \
	do {                                                                   \
		if (N) {                                                       \
			(Cur) = YYRHSLOC(Rhs, 1);                              \
			(Cur).len = YYRHSLOC(Rhs, N).offset +                  \
				    YYRHSLOC(Rhs, N).len - (Cur).offset;       \
		} else {                                                       \
			(Cur) = YYRHSLOC(Rhs, 0);                              \
			(Cur).offset += (Cur).len;                             \
			(Cur).len = 0;                                         \
		}                                                              \
	} while (0)
}

%code provides {
/* Flex's bison bridge knows these names. */
#define YYSTYPE DSL_YYSTYPE
#define YYLTYPE DSL_YYLTYPE

struct dsl_tok {
	int kind;              /* token number, 0 at end of file */
	struct span span;
	struct dsl_word w;
};

/* The state of one parse: everything, no globals. */
struct dsl_ctx {
	struct ir_file *f;
	struct diag_queue *dq;
	void *scanner;

	/* scanner position (lexer.l) */
	size_t pos;
	unsigned line, col;
	size_t bad_end;        /* end of the last unexpected character */
	bool bad_end_set;

	/* the last two tokens handed to the parser, for messages */
	unsigned last_line;    /* line of the last token scanned (for KEY) */
	bool eof;
	struct dsl_tok prev, cur;

	/* parser state */
	struct ir_policy *policy;    /* the open policy (maybe not in the IR) */
	struct dsl_word key;         /* the statement being read */
	struct span key_span;
	bool hint_semi;        /* the last error was a missing ';' */
	size_t err_at;         /* offset of the token of the last syntax error */
	bool err_set;
};

void dsl_advance(struct dsl_ctx *ctx, struct span *loc, const char *text, size_t len);
/* Length of the valid UTF-8 character at s (n bytes available), or 0. */
size_t dsl_utf8_len(const unsigned char *s, size_t n);
}

%code {
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "frontend.h"
/* the scanner's header takes yylex for itself: it is dsl_scan_lex, ours dsl_yylex */
#undef yylex
#include "lexer.h"
#undef yylex
#define yylex dsl_yylex
#include "util.h"

static int dsl_yylex(DSL_YYSTYPE *lval, DSL_YYLTYPE *lloc, struct dsl_ctx *ctx);
static void dsl_yyerror(const DSL_YYLTYPE *lloc, struct dsl_ctx *ctx, const char *msg);
static void start_policy(struct dsl_ctx *ctx, const struct dsl_word *name,
			 struct span name_span, struct span kw_span);
static void start_scratch(struct dsl_ctx *ctx, struct span kw_span);
static void commit(struct dsl_ctx *ctx, const struct dsl_vlist *vl);
static struct dsl_vlist *vlist_add(struct dsl_ctx *ctx, struct dsl_vlist *vl,
				   const struct dsl_word *w, struct span span);
static void stray_statement(struct dsl_ctx *ctx, const struct dsl_word *w, struct span at);
static void close_after_error(struct dsl_ctx *ctx);
static void damage(struct dsl_ctx *ctx);
}

%define api.pure full
%define api.prefix {dsl_yy}
%define api.token.prefix {TOK_}
%define api.location.type {struct span}
%define parse.error custom
/* no default reduction where an 'error' state may also shift: there bison
   discards the tokens that cannot follow, instead of leaving the policy */
%define lr.default-reduction consistent
%locations
%param {struct dsl_ctx *ctx}
%expect 0

%union {
	struct dsl_word w;
	struct dsl_vlist *vl;
	bool b;
}

%token <w> WORD "word" STRING "string" POLICY "'policy'"
%token <w> KEY "statement keyword"   /* a statement keyword that starts a line */
%token BAD "invalid character"
%type <w> name value
%type <vl> values
%type <b> end

%%

file
	: %empty
	| file policy
	| file error                    /* at 'policy' or the end */
		{
			if (diag_capped(ctx->dq))
				YYABORT;
			if (yychar != TOK_YYEOF)
				yyerrok;
		}
	| file error KEY
		{
			stray_statement(ctx, &$3, @3);
			if (diag_capped(ctx->dq))
				YYABORT;
		}
	;

policy
	: head open body
	| head error open body
	| head error sync_stmt body
	| head error '}'                { ctx->policy = NULL; yyerrok; }
	| head error                    { close_after_error(ctx); if (yychar != TOK_YYEOF) yyerrok; }
	;

head
	: POLICY name           { start_policy(ctx, &$2, @2, @1); }
	| POLICY error          { start_scratch(ctx, @1); }
	;

name
	: WORD
	| STRING
	| POLICY
	| KEY
	;

open
	: '{'                   { yyerrok; }
	;

body
	: stmts '}'             { ctx->policy = NULL; }
	| stmts error '}'       { damage(ctx); ctx->policy = NULL; yyerrok; }
	| stmts error           /* at 'policy' or the end */
		{
			damage(ctx);
			close_after_error(ctx);
			if (yychar != TOK_YYEOF)
				yyerrok;
		}
	;

stmts
	: %empty
	| stmts stmt
	| stmts error ';'
		{
			damage(ctx);
			if (diag_capped(ctx->dq))
				YYABORT;
			yyerrok;
		}
	| stmts error sync_stmt { damage(ctx); }
	;

stmt
	: key values end
		{
			if (!$3)
				YYERROR;   /* skip what is in the way in 'stmts error' */
			commit(ctx, $2);
		}
	| sync_stmt
	;

sync_stmt
	: kw values end
		{
			if (!$3)
				YYERROR;
			commit(ctx, $2);
		}
	;

/* The end of a statement; a missing ';' before a statement or the end. */
end
	: ';'                   { $$ = true; }
	| error
		{
			$$ = ctx->hint_semi;   /* as if the ';' were there */
			ctx->hint_semi = false;
			if (diag_capped(ctx->dq))
				YYABORT;
			if ($$ && yychar != TOK_YYEOF)
				yyerrok;
		}
	;

key
	: WORD                  { ctx->key = $1; ctx->key_span = @1; }
	;

kw
	: KEY                   { ctx->key = $1; ctx->key_span = @1; yyerrok; }
	;

values
	: value                 { $$ = vlist_add(ctx, NULL, &$1, @1); }
	| values ',' value      { $$ = vlist_add(ctx, $1, &$3, @3); }
	;

value
	: WORD
	| STRING
	| POLICY
	| KEY
	;

%%

/* ---- building the IR ---- */

static struct dsl_vlist *vlist_add(struct dsl_ctx *ctx, struct dsl_vlist *vl,
				   const struct dsl_word *w, struct span span)
{
	struct arena *a = ctx->f->arena;
	if (!vl)
		vl = arena_alloc(a, sizeof(*vl));
	struct dsl_vnode *n = arena_alloc(a, sizeof(*n));
	n->w = *w;
	n->span = span;
	if (vl->tail)
		vl->tail->next = n;
	else
		vl->head = n;
	vl->tail = n;
	vl->n++;
	return vl;
}

/* At most max bytes of s, cut at a character boundary, "..." if cut. */
static int clip(const char *s, size_t len, size_t max, const char **dots)
{
	*dots = "";
	if (len <= max)
		return (int)len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	*dots = "...";
	return (int)max;
}

static void start_policy(struct dsl_ctx *ctx, const struct dsl_word *name,
			 struct span name_span, struct span kw_span)
{
	const char *dots;
	int n = clip(name->text, name->len, 64, &dots);
	if (name->quoted) {
		if (!name->bad)
			diag_emit(ctx->dq, "E001", name_span, "write the name without quotes",
				  "a policy name is a word, not a string");
		start_scratch(ctx, kw_span);
		ctx->policy->name = arena_printf(ctx->f->arena, "%.*s%s", n, name->text, dots);
		return;
	}
	if (!ir_name_check(name->text, name->len, name_span, ctx->dq)) {
		start_scratch(ctx, kw_span);
		ctx->policy->name = arena_printf(ctx->f->arena, "%.*s%s", n, name->text, dots);
		return;
	}
	struct span whole = kw_span;
	whole.len = name_span.offset + name_span.len - kw_span.offset;
	ctx->policy = ir_policy_add(ctx->f, name->text, name->len, name_span, whole);
}

/*
 * A policy whose head is wrong: its statements are still read and checked,
 * but it does not enter the IR.
 */
static void start_scratch(struct dsl_ctx *ctx, struct span kw_span)
{
	struct ir_policy *p = arena_alloc(ctx->f->arena, sizeof(*p));
	p->name = "?";
	p->name_span = kw_span;
	p->span = kw_span;
	p->damaged = true;
	ctx->policy = p;
}

/* A complete statement: the syntax-level checks, then into the IR. */
static void commit(struct dsl_ctx *ctx, const struct dsl_vlist *vl)
{
	struct ir_policy *p = ctx->policy;
	int k = stmt_lookup(ctx->key.text, ctx->key.len);
	bool ok = true;
	const char *dots;

	for (const struct dsl_vnode *n = vl->head; n; n = n->next)
		if (n->w.bad)
			ok = false;     /* reported by the scanner */
	const struct stmt_info *si = k >= 0 ? stmt_info((enum stmt_kind)k) : NULL;
	if (si && si->value == SV_ORIGIN) {
		for (const struct dsl_vnode *n = vl->head; n; n = n->next) {
			if (n->w.quoted || (n->w.len == 1 && n->w.text[0] == '*'))
				continue;
			int len = clip(n->w.text, n->w.len, 80, &dots);
			diag_emit(ctx->dq, "E001", n->span,
				  "'*' alone is the only origin written without quotes",
				  "an origin is a quoted string: write \"%.*s%s\"", len, n->w.text, dots);
			ok = false;
		}
	}
	if (si && !si->list && vl->n > 1) {
		diag_emit(ctx->dq, "E001", vl->head->next->span, si->one_note,
			  "'%s' takes one value", si->keyword);
		ok = false;
	}
	if (!ok) {
		p->damaged = true;
		return;
	}
	struct ir_stmt *s = ir_stmt_begin(ctx->f, p, ctx->key.text, ctx->key.len,
					  ctx->key_span, ctx->dq);
	if (!s) {
		if (k < 0)
			p->damaged = true;   /* a misspelt 'origins' is no missing one */
		return;
	}
	/* the scanner put every word and string in the IR's arena already */
	ir_stmt_reserve(ctx->f, s, vl->n);
	for (const struct dsl_vnode *n = vl->head; n; n = n->next)
		ir_stmt_take_value(ctx->f, s, n->w.text, n->w.len, n->w.quoted, n->span);
}

/* ---- tokens for the parser ---- */

static bool is_keyword(const struct dsl_tok *t)
{
	return t->kind == TOK_KEY ||
	       (t->kind == TOK_WORD && stmt_lookup(t->w.text, t->w.len) >= 0);
}

/* The scanner's next token; a statement keyword first on its line is a KEY. */
static int dsl_yylex(DSL_YYSTYPE *lval, DSL_YYLTYPE *lloc, struct dsl_ctx *ctx)
{
	memset(lval, 0, sizeof(*lval));
	int k = 0;
	if (!ctx->eof && !diag_capped(ctx->dq))
		k = dsl_scan_lex(lval, lloc, ctx->scanner);
	if (k == 0) {
		ctx->eof = true;
		struct span end = { ctx->f->src, ctx->pos, 0, ctx->line, ctx->col };
		*lloc = end;
	}
	if (k == TOK_WORD && ctx->last_line != lloc->line &&
	    stmt_lookup(lval->w.text, lval->w.len) >= 0)
		k = TOK_KEY;
	ctx->last_line = lloc->line;
	ctx->prev = ctx->cur;
	memset(&ctx->cur, 0, sizeof(ctx->cur));
	ctx->cur.kind = k;
	ctx->cur.span = *lloc;
	if (k == TOK_WORD || k == TOK_STRING || k == TOK_POLICY || k == TOK_KEY)
		ctx->cur.w = lval->w;
	return k;
}

/* ---- error messages ---- */

/* How a token is named in a message. */
static void describe(const struct dsl_ctx *ctx, const struct dsl_tok *t, char *buf, size_t size)
{
	const char *dots;
	int n;
	switch (t->kind) {
	case TOK_YYEOF:
		snprintf(buf, size, "end of file");
		break;
	case TOK_WORD:
	case TOK_KEY:
	case TOK_POLICY:
		n = clip(t->w.text, t->w.len, 40, &dots);
		snprintf(buf, size, "'%.*s%s'", n, t->w.text, dots);
		break;
	case TOK_STRING: {
		const char *raw = ctx->f->src->text + t->span.offset;
		n = clip(raw, t->span.len, 40, &dots);
		snprintf(buf, size, "string %.*s%s", n, raw, dots);
		break;
	}
	default:
		if (t->kind > 0 && t->kind < 128)
			snprintf(buf, size, "'%c'", t->kind);
		else
			snprintf(buf, size, "invalid character");
		break;
	}
}

/* A statement keyword at the start of a line outside any policy. */
static void stray_statement(struct dsl_ctx *ctx, const struct dsl_word *w, struct span at)
{
	struct dsl_tok t = { TOK_KEY, at, *w };
	char found[128];
	describe(ctx, &t, found, sizeof(found));
	diag_emit(ctx->dq, "E001", at, "statements go inside 'policy NAME { ... }'",
		  "expected a policy, found %s", found);
}

/* The place just after the previous token: where a missing one belongs. */
static struct span after_prev(const struct dsl_ctx *ctx)
{
	const struct dsl_tok *p = &ctx->prev;
	if (!p->span.src)
		return ctx->cur.span;
	struct span s = p->span;
	const char *text = ctx->f->src->text;
	for (size_t i = p->span.offset; i < p->span.offset + p->span.len; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			s.col++;
	s.offset = p->span.offset + p->span.len;
	s.len = 1;
	return s;
}

static bool expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t k)
{
	for (int i = 0; i < n; i++)
		if (exp[i] == k)
			return true;
	return false;
}

/* The policy is not closed before 'policy' or the end of the file. */
static void missing_close(struct dsl_ctx *ctx)
{
	const char *name = ctx->policy ? ctx->policy->name : "?";
	unsigned line = ctx->policy ? ctx->policy->span.line : 0;
	char note[160];
	damage(ctx);
	if (ctx->cur.kind == TOK_YYEOF) {
		snprintf(note, sizeof(note), "policy '%s' starts at line %u", name, line);
		diag_emit(ctx->dq, "E001", after_prev(ctx), note,
			  "missing '}' at end of file for policy '%s'", name);
	} else {
		snprintf(note, sizeof(note), "policy '%s' starts at line %u; policies do not nest",
			 name, line);
		diag_emit(ctx->dq, "E001", after_prev(ctx), note,
			  "missing '}' at end of policy '%s'", name);
	}
}

/* The open policy had a syntax error. */
static void damage(struct dsl_ctx *ctx)
{
	if (ctx->policy)
		ctx->policy->damaged = true;
}

/* After skipping to 'policy' or the end: the missing '}', unless said there. */
static void close_after_error(struct dsl_ctx *ctx)
{
	if (ctx->policy && !(ctx->err_set && ctx->err_at == ctx->cur.span.offset))
		missing_close(ctx);
	ctx->policy = NULL;
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, struct dsl_ctx *ctx)
{
	const struct dsl_tok *t = &ctx->cur, *pv = &ctx->prev;
	ctx->hint_semi = false;
	yysymbol_kind_t exp[YYNTOKENS];
	int n = yypcontext_expected_tokens(yyctx, exp, YYNTOKENS);
	if (n < 0)
		n = 0;
	bool top = expects(exp, n, YYTRANSLATE(TOK_POLICY)) && expects(exp, n, YYTRANSLATE(TOK_YYEOF));
	ctx->err_at = t->span.offset;
	ctx->err_set = true;
	if (t->kind == TOK_BAD || (top && t->kind == TOK_KEY))
		return 0;       /* the scanner said what it is; 'file error KEY' says it */
	char found[128], key[96], name[96];
	describe(ctx, t, found, sizeof(found));
	const char *dots;
	int kl = clip(ctx->key.text ? ctx->key.text : "", ctx->key.len, 40, &dots);
	snprintf(key, sizeof(key), "%.*s%s", kl, ctx->key.text ? ctx->key.text : "", dots);
	snprintf(name, sizeof(name), "%s", ctx->policy ? ctx->policy->name : "?");
	struct span here = t->span, after = after_prev(ctx);
	bool ends = t->kind == TOK_YYEOF || t->kind == '}' || t->kind == TOK_POLICY;
	struct diag_queue *dq = ctx->dq;

	if (top) {
		if (t->kind == '}')
			diag_emit(dq, "E001", here, "no policy is open here", "unexpected '}'");
		else if (is_keyword(t))
			diag_emit(dq, "E001", here, "statements go inside 'policy NAME { ... }'",
				  "expected a policy, found %s", found);
		else
			diag_emit(dq, "E001", here, "a policy file is a list of 'policy NAME { ... }'",
				  "expected a policy, found %s", found);
		return 0;
	}
	if (ctx->policy)
		ctx->policy->damaged = true;

	if (expects(exp, n, YYTRANSLATE('{'))) {
		/* after 'policy NAME' */
		if (ends || t->kind == TOK_KEY)
			diag_emit(dq, "E001", after, NULL, "missing '{' after 'policy %s'", name);
		else
			diag_emit(dq, "E001", here, "a policy name is one word",
				  "expected '{' after 'policy %s', found %s", name, found);
	} else if (expects(exp, n, YYTRANSLATE('}'))) {
		/* where a statement may start */
		if (t->kind == TOK_YYEOF || t->kind == TOK_POLICY) {
			missing_close(ctx);
		} else if (t->kind == TOK_STRING) {
			diag_emit(dq, "E001", here, "a statement starts with its name, as in 'origins \"https://...\";'",
				  "expected a statement, found %s", found);
		} else {
			diag_emit(dq, "E001", here, NULL, "unexpected %s", found);
		}
	} else if (expects(exp, n, YYTRANSLATE(';'))) {
		/* after a value */
		if (ends || is_keyword(t)) {
			diag_emit(dq, "E001", after, NULL, "missing ';' after '%s' statement", key);
			ctx->hint_semi = true;
		} else {
			char prev[128];
			describe(ctx, pv, prev, sizeof(prev));
			diag_emit(dq, "E001", here, "values are separated by ',' and a statement ends with ';'",
				  "expected ',' or ';' after %s, found %s", prev, found);
		}
	} else if (expects(exp, n, YYTRANSLATE(TOK_WORD))) {
		/* a policy name, or a value */
		if (pv->kind == TOK_POLICY) {
			if (t->kind == '{')
				diag_emit(dq, "E001", after, NULL, "missing policy name after 'policy'");
			else
				diag_emit(dq, "E001", here, NULL, "expected a policy name, found %s", found);
		} else if (pv->kind == ',') {
			if (t->kind == ';')
				diag_emit(dq, "E001", pv->span, "remove the ',' or add a value after it",
					  "trailing ',' in '%s' list", key);
			else
				diag_emit(dq, "E001", here, NULL, "expected a value after ',', found %s", found);
		} else if (t->kind == ';' || ends || t->kind == TOK_KEY) {
			diag_emit(dq, "E001", after, "a statement is 'name value, value, ...;'",
				  "missing value after '%s'", key);
		} else {
			diag_emit(dq, "E001", here, NULL, "expected a value after '%s', found %s", key, found);
		}
	} else {
		diag_emit(dq, "E001", here, NULL, "unexpected %s", found);
	}
	return 0;
}

static void dsl_yyerror(const DSL_YYLTYPE *lloc, struct dsl_ctx *ctx, const char *msg)
{
	diag_emit(ctx->dq, "E001", *lloc, NULL, "%s", msg);
}

void dsl_parse(struct ir_file *f, struct diag_queue *dq)
{
	struct dsl_ctx ctx;
	memset(&ctx, 0, sizeof(ctx));
	ctx.f = f;
	ctx.dq = dq;
	ctx.line = 1;
	ctx.col = 1;
	if (f->src->len > INT_MAX) {
		struct span none = { 0 };
		diag_emit(dq, "E001", none, NULL, "the file is too large");
		return;
	}
	yyscan_t scanner;
	if (dsl_scan_lex_init_extra(&ctx, &scanner) != 0)
		die_oom();
	ctx.scanner = scanner;
	YY_BUFFER_STATE buf = dsl_scan__scan_bytes(f->src->text, (int)f->src->len, scanner);
	dsl_yyparse(&ctx);
	dsl_scan__delete_buffer(buf, scanner);
	dsl_scan_lex_destroy(scanner);
}
