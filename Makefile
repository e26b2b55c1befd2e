# corsc - plain GNU make.
#
#   make            build build/corsc
#   make demo       install what is missing, compile examples/ for every server into demo/
#   make check      install what is missing, run every test
#   make bench      benchmarks (figures as ratios, never assertions)
#   make check-sanitize   unit tests and the server-less shell tests under ASan and UBSan, then valgrind
#
# Dependencies are Debian packages; .ci/deps installs the missing ones once.

BUILD    ?= build
CC       ?= cc
PKGS     := yaml-0.1 libpsl libidn2 libcurl
CFLAGS   ?= -O2 -g
SAN      ?=
WARN     := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
GENWARN  := -std=c11 -Wall -Wno-unused-function -Wno-unused-parameter -Wno-sign-compare
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Icompiler -Ibackends -I$(BUILD)/grammar $(PKG_CFLAGS)
LDLIBS   += $(PKG_LIBS)

LIB_SRC  := $(sort $(filter-out compiler/main.c,$(wildcard compiler/*.c backends/*.c)))
GRAMMAR  := $(wildcard grammar/parser.y)
GEN_C    := $(if $(GRAMMAR),$(BUILD)/grammar/parser.c $(BUILD)/grammar/lexer.c)
GEN_H    := $(if $(GRAMMAR),$(BUILD)/grammar/parser.h $(BUILD)/grammar/lexer.h)
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o) $(GEN_C:.c=.o)
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c))
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o) $(BUILD)/tests/unit/runner.o

CORSC    := $(BUILD)/corsc
UNIT     := $(BUILD)/unit-tests

.PHONY: golden fuzz-build all demo check-sanitize check check-unit check-shell bench check-sanitize fuzz soak mutate clean deps-build deps-test install uninstall
.DELETE_ON_ERROR:

all: $(CORSC)

# Objects are linked directly, not through an archive, so that a real
# definition always replaces a weak one.
$(CORSC): $(BUILD)/compiler/main.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(SAN) $(CPPFLAGS) -MMD -MP -c -o $@ $<

# Grouped targets (&:, GNU make 4.3): one bison run writes both files, and
# make -jN never starts a second one beside it.  Likewise flex (-Cf: full
# tables, no compression; a fifth less scanning time on a large input, issue 20).
$(BUILD)/grammar/parser.c $(BUILD)/grammar/parser.h &: grammar/parser.y
	@mkdir -p $(dir $@)
	bison -Wall -Werror --defines=$(BUILD)/grammar/parser.h -o $(BUILD)/grammar/parser.c $<

$(BUILD)/grammar/lexer.c $(BUILD)/grammar/lexer.h &: grammar/lexer.l $(BUILD)/grammar/parser.h Makefile
	@mkdir -p $(dir $@)
	flex -Cf --header-file=$(BUILD)/grammar/lexer.h -o $(BUILD)/grammar/lexer.c $<

$(BUILD)/grammar/%.o: $(BUILD)/grammar/%.c $(GEN_H)
	$(CC) $(GENWARN) $(CFLAGS) $(SAN) $(CPPFLAGS) -Igrammar -c -o $@ $<

# ---- tests ----

# Each tests/unit/test_NAME.c defines void register_NAME(void); the runner
# calls them all from this generated list.
$(BUILD)/tests/suites.h: $(TEST_SRC)
	@mkdir -p $(dir $@)
	@for f in $(TEST_SRC); do n=$${f##*/test_}; echo "SUITE($${n%.c})"; done > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@

$(BUILD)/tests/unit/runner.o: tests/unit/runner.c $(BUILD)/tests/suites.h | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(SAN) $(CPPFLAGS) -I$(BUILD)/tests -Itests/unit -MMD -MP -c -o $@ $<

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CFLAGS) $(SAN) $(CPPFLAGS) -Itests/unit -MMD -MP -c -o $@ $<

$(UNIT): $(TEST_OBJ) $(LIB_OBJ)
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcunit

deps-build:
	@sh .ci/deps build

deps-test:
	@sh .ci/deps test

check: deps-test
	@$(MAKE) --no-print-directory check-unit check-shell

check-unit: $(CORSC) $(UNIT)
	$(UNIT)

check-shell: $(CORSC) $(UNIT)
	@CORSC=$(abspath $(CORSC)) sh tests/run-shell-tests

demo: deps-build
	@$(MAKE) --no-print-directory $(CORSC)
	@rm -rf demo.tmp && mkdir -p demo.tmp
	@set -e; for f in examples/*.cors examples/*.yaml; do \
		[ -e "$$f" ] || continue; \
		n=$${f##*/}; \
		mkdir -p demo.tmp/$$n; \
		$(CORSC) build -t all -o demo.tmp/$$n $$f; \
	done
	@rm -rf demo && mv demo.tmp demo
	@find demo -type f | sort

clean:
	rm -rf $(BUILD) build-san build-fuzz demo demo.tmp

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Rewrite tests/golden/ from the current compiler (review with git diff).
golden: $(CORSC)
	@set -e; for f in examples/*; do b=$${f##*/}; \
		for t in $$($(CORSC) --help | sed -n 's/^targets: \([^;]*\);.*/\1/p' | tr -d ,); do \
			rm -rf tests/golden/$$b/$$t; mkdir -p tests/golden/$$b; \
			$(CORSC) build -t $$t -o tests/golden/$$b $$f; \
		done; done; echo "tests/golden rewritten"

# ---- sanitizers and fuzzing ----

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
# The tests that need no server: unit, golden, malformed and hostile corpora
# (t-hostile.sh without its servers), bad input, CLI.
SAN_SHELL_TESTS := t-golden.sh t-malformed.sh t-bad-input.sh t-explain.sh t-eval.sh t-regressions.sh \
	t-nothing-lost.sh t-yaml-hostile.sh t-hostile.sh t-fmt-convert.sh t-schema.sh t-verify-cli.sh \
	t-pipeline.sh t-cli.sh \
	t-fix.sh t-verify-wire.sh
SAN_SHELL_TESTS += t-spec-cli.sh

check-sanitize: deps-test
	@$(MAKE) --no-print-directory BUILD=build-san SAN="$(SAN_FLAGS)" CFLAGS="-O1 -g" build-san/corsc build-san/unit-tests
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 build-san/unit-tests
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 HOSTILE_SERVERS=no \
		CORSC=$(abspath build-san/corsc) TESTS="$(SAN_SHELL_TESTS)" sh tests/run-shell-tests
	@$(MAKE) --no-print-directory $(CORSC)
	@CORSC=$(abspath $(CORSC)) TESTS="s-valgrind.sh" sh tests/run-shell-tests

FUZZ_SECONDS ?= 60
FUZZ_TARGETS := dsl yaml pipeline verify
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang SAN="$(FUZZ_SAN)" CFLAGS="-O1 -g" \
		$(foreach t,$(FUZZ_TARGETS),build-fuzz/fuzz-$(t))

build-fuzz/fuzz-%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(LIB_OBJ)
	$(CC) $(CFLAGS) -fsanitize=fuzzer,address,undefined $(CPPFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

# make fuzz FUZZ_SECONDS=N: each target for N seconds, seeded from examples/,
# the malformed corpus and tests/fuzz/; new findings go to build-fuzz/corpus-TARGET,
# crashes to build-fuzz/crash-*, and make fails.
fuzz:
	@sh .ci/deps fuzz
	@$(MAKE) --no-print-directory fuzz-build
	@set -e; mkdir -p build-fuzz/seeds-pipeline; \
	for f in examples/* tests/malformed/*.cors tests/malformed/*.yaml tests/fuzz/seeds/* tests/fuzz/regressions/*; do \
		[ -e "$$f" ] || continue; b=$${f##*/}; \
		case $$f in *.yaml|*.yml) pre=1;; *) pre=0;; esac; \
		{ printf $$pre; cat "$$f"; } > build-fuzz/seeds-pipeline/$$b; done; \
	fail=0; for t in $(FUZZ_TARGETS); do \
		mkdir -p build-fuzz/corpus-$$t; \
		case $$t in dsl|yaml) seeds="examples tests/malformed tests/fuzz/seeds tests/fuzz/regressions";; \
			pipeline) seeds="build-fuzz/seeds-pipeline";; \
			verify) seeds="tests/fuzz/verify-seeds";; esac; \
		echo "== fuzz-$$t for $(FUZZ_SECONDS)s"; rc=0; \
		build-fuzz/fuzz-$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build-fuzz/ \
			build-fuzz/corpus-$$t $$seeds > build-fuzz/fuzz-$$t.log 2>&1 || rc=$$?; \
		grep -E 'stat::|DONE|ERROR|SUMMARY|crash-|leak-|timeout-' build-fuzz/fuzz-$$t.log | tail -n 12; \
		if [ $$rc -ne 0 ]; then echo "fuzz-$$t: exit $$rc, see build-fuzz/fuzz-$$t.log"; fail=1; fi; \
	done; [ $$fail -eq 0 ]

# ---- soak and mutation testing (issue 21; not in CI) ----

# make soak SEED=S N=N: N generated policy files (about 2.3 policies each)
# served by nginx, Apache and Caddy, compared with corsc eval; a mismatch
# prints the seed and a minimized reproduction.  The default N takes about
# 10 minutes on 2 idle CPUs; make check runs a fixed-seed slice (t-soak.sh).
SEED ?= 1
N ?= 600
soak: deps-test $(CORSC)
	@CORSC=$(abspath $(CORSC)) TOP=$(CURDIR) sh tests/e2e/run soak --seed $(SEED) --n $(N)

# make mutate: each one-line mutant of tests/mutants.patch applied alone to a
# copy of the tree, the suite run against it; prints the score and survivors.
MUTATE_TESTS ?= t-golden.sh t-malformed.sh t-eval.sh t-regressions.sh t-bad-input.sh t-explain.sh \
	t-fmt-convert.sh t-schema.sh t-yaml-hostile.sh t-nothing-lost.sh t-e2e-diff.sh t-soak.sh t-nginx.sh t-apache.sh t-caddy.sh
mutate: deps-test
	@sh tests/mutate.sh tests/mutants.patch "$(MUTATE_TESTS)"

# ---- install ----

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
MANDIR  := $(PREFIX)/share/man
COMPDIR := $(PREFIX)/share/bash-completion/completions
DATADIR := $(PREFIX)/share/corsc
# editors: Vim's system-wide folder, and the VS Code extension's folder (link it
# into ~/.vscode/extensions); see the README's "Editors"
VIMDIR  := $(PREFIX)/share/vim/vimfiles
VSCODEDIR := $(DATADIR)/vscode

install: $(CORSC)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(COMPDIR) $(DESTDIR)$(DATADIR)
	install -m 755 $(CORSC) $(DESTDIR)$(BINDIR)/corsc
	install -m 644 doc/corsc.1 $(DESTDIR)$(MANDIR)/man1/corsc.1
	install -m 644 doc/corsc.cors.5 $(DESTDIR)$(MANDIR)/man5/corsc.cors.5
	install -m 644 doc/corsc.bash-completion $(DESTDIR)$(COMPDIR)/corsc
	install -m 644 doc/corsc.schema.json $(DESTDIR)$(DATADIR)/corsc.schema.json
	install -d $(DESTDIR)$(VIMDIR)/syntax $(DESTDIR)$(VIMDIR)/ftdetect $(DESTDIR)$(VSCODEDIR)/syntaxes
	install -m 644 editors/vim/syntax/cors.vim $(DESTDIR)$(VIMDIR)/syntax/cors.vim
	install -m 644 editors/vim/ftdetect/cors.vim $(DESTDIR)$(VIMDIR)/ftdetect/cors.vim
	install -m 644 editors/vscode/package.json editors/vscode/language-configuration.json $(DESTDIR)$(VSCODEDIR)/
	install -m 644 editors/vscode/syntaxes/cors.tmLanguage.json $(DESTDIR)$(VSCODEDIR)/syntaxes/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/corsc $(DESTDIR)$(MANDIR)/man1/corsc.1 \
		$(DESTDIR)$(MANDIR)/man5/corsc.cors.5 $(DESTDIR)$(COMPDIR)/corsc \
		$(DESTDIR)$(DATADIR)/corsc.schema.json
	rm -f $(DESTDIR)$(VIMDIR)/syntax/cors.vim $(DESTDIR)$(VIMDIR)/ftdetect/cors.vim \
		$(DESTDIR)$(VSCODEDIR)/package.json $(DESTDIR)$(VSCODEDIR)/language-configuration.json \
		$(DESTDIR)$(VSCODEDIR)/syntaxes/cors.tmLanguage.json
	-rmdir $(DESTDIR)$(VSCODEDIR)/syntaxes $(DESTDIR)$(VSCODEDIR) 2>/dev/null
	-rmdir $(DESTDIR)$(DATADIR) 2>/dev/null

# Benchmarks: compile time and memory, then requests/s through each server.
# Figures are medians and same-round ratios, printed as tables; nothing fails.
bench: $(CORSC)
	@sh .ci/deps bench
	@echo "machine: $$(nproc) CPUs, $$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), load average $$(cut -d' ' -f1-3 /proc/loadavg)"
	@python3 tests/bench/bench_compile.py $(CORSC)
	@python3 tests/bench/bench_runtime.py $(CORSC)
	@echo "machine after: load average $$(cut -d' ' -f1-3 /proc/loadavg)"

# Timing of origin matching with a 100,000-origin policy (not run by make check).
$(BUILD)/bench-match: $(BUILD)/tests/bench/bench_match.o $(LIB_OBJ)
	$(CC) $(CFLAGS) $(SAN) $(LDFLAGS) -o $@ $^ $(LDLIBS)
