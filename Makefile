# ctys — the one build.  See README.md; `make help` lists the targets.
#
# Every folder contributes a `module.mk` that appends to:
#   LIB_SRCS    sources compiled into build/libctys.a (everything but main()s)
#   PROGS       program names; for each, <name>_MAIN is the file with main()
#   MAN_PAGES   the module's man pages, man/<name>.<section> (install takes every
#               man/*.[1-8], so a page is never left out)
# Unit tests are tests/unit/test_*.c, one Criterion binary each; fuzzers are
# tests/fuzz/fuzz_*.c.  Nothing else needs editing to add a module or a test.

PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
MANDIR   ?= $(PREFIX)/share/man
CONFDIR  ?= $(PREFIX)/etc/ctys
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR  ?=
BUILD    ?= build
CC       ?= cc
PKG_CONFIG ?= pkg-config

VERSION  := $(shell cat VERSION)

# Libraries by pkg-config name.  Evaluated lazily, so `make test` can install
# them before the first use.
# libldap is not linked: cache/ldap-dl.c loads it by its soname on the
# first directory use (see cache/ldap-dl.h).
PKGS       := libssh ldap lmdb readline uuid jansson
LINK_PKGS  := libssh lmdb readline uuid jansson
PKG_CFLAGS  = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS    = $(shell $(PKG_CONFIG) --libs $(LINK_PKGS)) -ldl
LDAP_SONAME = $(shell objdump -p "$$($(CC) -print-file-name=libldap.so)" 2>/dev/null | \
                awk '$$1 == "SONAME" { print $$2 }')
CRIT_CFLAGS = $(shell $(PKG_CONFIG) --cflags criterion)
CRIT_LIBS   = $(shell $(PKG_CONFIG) --libs criterion)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
OPT      ?= -O2 -g
SAN      ?=
SAN_ON   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SANFLAGS := $(if $(SAN),$(SAN_ON))
CPPFLAGS += -D_GNU_SOURCE -DCTYS_VERSION='"$(VERSION)"' -DCTYS_CONFDIR='"$(CONFDIR)"' \
            -DCTYS_BINDIR='"$(BINDIR)"' -I.
CFLAGS   ?=
ALL_CFLAGS = -std=c11 $(WARN) $(OPT) $(SANFLAGS) $(CFLAGS) $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS) -Wl,--as-needed

LIB_SRCS    :=
PROGS       :=
BENCH_PROGS :=
MAN_PAGES   :=
include lib/module.mk
include $(filter-out lib/module.mk,$(wildcard */module.mk))

LIB_OBJS   := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBCTYS    := $(BUILD)/libctys.a
BINS       := $(PROGS:%=bin/%)
TEST_SRCS  := $(wildcard tests/unit/test_*.c)
TEST_BINS  := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS  := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all test check unit asan demo fuzz fuzz-bins bench install uninstall print-progs clean help deps format-check \
	test-slow valgrind

all: $(BINS)

help:
	@echo 'make            build bin/ (ctys and its tools)'
	@echo 'make demo       install missing Debian packages, build, run ctys on localhost'
	@echo 'make test       install missing Debian packages, build, run every test'
	@echo 'make asan       the whole suite under ASan+UBSan'
	@echo 'make test-slow  long tests (tests/slow/: 1,000 sshd on loopback), minutes'
	@echo 'make valgrind   the unit tests under valgrind memcheck'
	@echo 'make fuzz       every fuzzer for FUZZ_SECONDS (default 60) each'
	@echo 'make bench      benchmarks with ratios against in-run baselines'
	@echo 'make install    PREFIX=$(PREFIX) DESTDIR=...'

# VERSION is compiled in (CTYS_VERSION): a new one rebuilds every object.
$(BUILD)/%.o: %.c VERSION
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# The soname of the libldap built against (libldap-2.5.so.0 on Debian 12).
$(BUILD)/cache/ldap-dl.o: CPPFLAGS += $(if $(LDAP_SONAME),-DCTYS_LDAP_SONAME='"$(LDAP_SONAME)"')

# BINDIR and CONFDIR are compiled into lib/paths.c: it is rebuilt when they
# change, so `make install PREFIX=/opt/ctys` after a plain `make` installs
# binaries that look in /opt/ctys/etc/ctys.
DIRS_STAMP := $(BUILD)/dirs.stamp
DIRS_NOW   := $(BINDIR) $(CONFDIR)
$(shell mkdir -p $(BUILD) && { [ "$$(cat $(DIRS_STAMP) 2>/dev/null)" = "$(DIRS_NOW)" ] || \
    echo "$(DIRS_NOW)" >$(DIRS_STAMP); })
$(BUILD)/lib/paths.o: $(DIRS_STAMP)

$(LIBCTYS): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

define prog_rule
bin/$(1): $(BUILD)/$(basename $($(1)_MAIN)).o $(LIBCTYS)
	@mkdir -p bin
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) -lpthread
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

# Benchmark helpers: same rule, built into $(BUILD)/bench/ by make bench only.
define bench_rule
$(BUILD)/bench/$(1): $(BUILD)/$(basename $($(1)_MAIN)).o $(LIBCTYS)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(PKG_LIBS) -lpthread
endef
$(foreach p,$(BENCH_PROGS),$(eval $(call bench_rule,$(p))))

$(BUILD)/tests/%: tests/unit/%.c $(LIBCTYS) tests/unit/testutil.h VERSION
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CRIT_CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LIBCTYS) $(CRIT_LIBS) $(PKG_LIBS) -lpthread

deps:
	@tests/deps.sh

# The README's first command: set up, build, and run the main job on this
# machine (localhost needs no server).
demo: deps
	@$(MAKE) --no-print-directory all
	bin/ctys -a list localhost
	bin/ctys -a enumerate=machine,title localhost
	bin/ctys -n -t qemu -a create=l:vm1,reuse 'root@pm1[vm1]' 'VMSTACK{pm1 pm1[vm1](-z 2)}'

# The README's test command: packages, build, every test.
test: deps
	@$(MAKE) --no-print-directory check

check: all $(TEST_BINS) $(FUZZ_OBJS)
	@BUILD=$(BUILD) tests/run.sh

unit: all $(TEST_BINS)
	@BUILD=$(BUILD) tests/run.sh --unit

# Long tests, not part of check: tests/slow/*.sh, each a scenario script.
$(BUILD)/tests/ctys-fdcheck: tests/slow/fdcheck.c $(LIBCTYS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP $(LDFLAGS) -o $@ $< $(LIBCTYS) $(PKG_LIBS) -lpthread

test-slow: all $(BUILD)/tests/ctys-fdcheck
	@BUILD=$(BUILD) tests/run.sh --slow

# The unit tests under valgrind memcheck (a plain -O2 -g build).
valgrind: all $(TEST_BINS)
	@tests/deps.sh valgrind
	@BUILD=$(BUILD) tests/valgrind.sh

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 OPT='-O1 -g' clean-bin
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 OPT='-O1 -g' check
	@$(MAKE) --no-print-directory clean-bin

clean-bin:
	rm -rf bin

# Fuzzers: libFuzzer with clang, ASan+UBSan, one binary per tests/fuzz/fuzz_*.c,
# each started from its seed corpus tests/fuzz/corpus/<name>/.
FUZZ_SECONDS ?= 60
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIBCTYS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(LIBCTYS) $(PKG_LIBS) -lpthread
fuzz-bins: $(FUZZ_BINS)

# `make check` compiles every fuzz harness with the normal compiler (no
# libFuzzer needed), so a harness that no longer builds fails the suite.
FUZZ_OBJS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz-compile/%.o)
$(BUILD)/fuzz-compile/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<
fuzz:
	@tests/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang SAN=1 OPT='-O1 -g' \
	    CFLAGS='-fsanitize=fuzzer-no-link -Wno-unknown-warning-option' fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) BUILD=build-fuzz tests/fuzz/run.sh $(FUZZERS)

$(BUILD)/bench/timeit: bench/timeit.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $<

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench/timeit $(BENCH_PROGS:%=$(BUILD)/bench/%)
	@bench/run.sh

# What `make install` puts where (and `make uninstall` removes, file by
# file): PROGS in BINDIR, every man/*.N in MANDIR/manN, conf/ (settings,
# groups, macros, the LDAP schema and LDIF) in CONFDIR, and the generated
# bash completion as BASHCOMPDIR/ctys.  tests/scenario/install.sh checks the
# list.  Man pages are found by glob, so a new page needs no edit here.
INSTALL_MANS  := $(sort $(wildcard man/*.[1-8]))
INSTALL_CONFS := $(sort $(filter-out conf/ctys.bash-completion,$(shell find conf -type f)))

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(CONFDIR) $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)/
	for m in $(INSTALL_MANS); do s=$${m##*.}; \
	    install -d $(DESTDIR)$(MANDIR)/man$$s && install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; done
	for f in $(INSTALL_CONFS:conf/%=%); do \
	    install -D -m 644 conf/$$f $(DESTDIR)$(CONFDIR)/$$f || exit 1; done
	install -m 644 conf/ctys.bash-completion $(DESTDIR)$(BASHCOMPDIR)/ctys

# Removes exactly what install wrote, then the directories ctys owns if
# they are empty (a file the administrator added to CONFDIR stays).
uninstall:
	rm -f $(PROGS:%=$(DESTDIR)$(BINDIR)/%) $(DESTDIR)$(BASHCOMPDIR)/ctys
	for m in $(notdir $(INSTALL_MANS)); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; done
	for f in $(INSTALL_CONFS:conf/%=%); do rm -f $(DESTDIR)$(CONFDIR)/$$f; done
	for d in $(sort $(dir $(INSTALL_CONFS:conf/%=%))); do \
	    [ "$$d" = ./ ] || rmdir $(DESTDIR)$(CONFDIR)/$$d 2>/dev/null || true; done
	rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true

# The installed programs, one per line (for tests: tests/scenario/manpages.sh).
print-progs:
	@printf '%s\n' $(PROGS)

format-check:
	clang-format --dry-run -Werror $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-fuzz bin

# header dependencies of every object: library, programs, tests
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
