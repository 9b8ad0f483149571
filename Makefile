# SeeKi build. `make` -> build/seeki. Variants share these rules through B=:
#   build/        release binary
#   build/t/      unit-test build (-DSEEKI_UNIT exposes SEEKI_TESTABLE statics)
#   build/asan/   the same under AddressSanitizer + UndefinedBehaviorSanitizer
# Dependencies are found with pkg-config; scripts/install-deps installs them.

B        ?= build
CC       ?= cc
CXX      ?= c++
PKGS     := libpq sqlite3 libmicrohttpd jansson libssh libcrypto zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TOML_CFLAGS := $(shell pkg-config --cflags tomlplusplus 2>/dev/null)
TOML_LIBS   := $(shell pkg-config --libs tomlplusplus 2>/dev/null)
CRIT_LIBS   := $(shell pkg-config --libs criterion 2>/dev/null)

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN     := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wshadow
OPT      ?= -O2
CFLAGS_ALL   = -std=c11 -D_GNU_SOURCE -g $(OPT) $(WARN) $(WERROR) -Isrc -I$(B)/gen \
               -DSEEKI_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(VARIANT_FLAGS) -MMD -MP
CXXFLAGS_ALL = -std=c++17 -g $(OPT) -Wall -Wextra -Isrc $(TOML_CFLAGS) $(PKG_CFLAGS) \
               $(VARIANT_FLAGS) -MMD -MP
# libunistring (Unicode case folding) ships no .pc file
LDLIBS_ALL   = $(PKG_LIBS) $(TOML_LIBS) -lunistring -lpthread -lm

ifeq ($(UNIT),1)
VARIANT_FLAGS += -DSEEKI_UNIT
endif
ifeq ($(SAN),1)
VARIANT_FLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS_SAN   := -fsanitize=address,undefined
OPT := -O1
endif

MAIN_SRC := src/cli/main.c
C_SRCS   := $(filter-out $(MAIN_SRC),$(shell find src -name '*.c' | sort))
CXX_SRCS := $(shell find src -name '*.cpp' | sort)
OBJS     := $(C_SRCS:%.c=$(B)/obj/%.o) $(CXX_SRCS:%.cpp=$(B)/obj/%.o) $(B)/obj/gen/assets.o
WEB_FILES := $(shell find web -type f ! -name '.*' | sort)
# One Criterion binary per module: tests/unit/<mod>/*.c -> $(B)/unit/<mod>.
# They link against libseeki.a, so a module's tests pull in only what they use.
UNIT_MODS := $(sort $(notdir $(patsubst %/,%,$(dir $(shell find tests/unit -name '*.c' 2>/dev/null)))))
UNIT_BINS := $(UNIT_MODS:%=$(B)/unit/%)

.PHONY: all run demo test unit unit-bins sanitize clean deps deps-test deps-bench check-banned \
        format bench
all: $(B)/seeki

$(B)/libseeki.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(B)/seeki: $(B)/obj/$(MAIN_SRC:.c=.o) $(B)/libseeki.a
	$(CXX) $(LDFLAGS_SAN) -o $@ $^ $(LDLIBS_ALL)

.SECONDARY:
.SECONDEXPANSION:
unit_objs = $(patsubst tests/%.c,$(B)/obj/tests/%.o,$(wildcard tests/unit/$(1)/*.c))
$(B)/unit/%: $$(call unit_objs,$$*) $(B)/libseeki.a
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_SAN) -o $@ $^ $(LDLIBS_ALL) $(CRIT_LIBS)

unit-bins: $(UNIT_BINS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests -Wno-missing-prototypes -c -o $@ $<

$(B)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS_ALL) -c -o $@ $<

# Web assets are embedded at build time (generated file, do not edit).
$(B)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O1 -Wall -Wextra -o $@ $<

$(B)/gen/assets.c: $(B)/tools/embed $(WEB_FILES)
	@mkdir -p $(dir $@)
	$(B)/tools/embed web $@ $(WEB_FILES)

$(B)/obj/gen/assets.o: $(B)/gen/assets.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Wno-missing-prototypes -c -o $@ $<

# One-command start on the bundled demo database (installs what is missing).
run: deps
	$(MAKE) all
	./$(B)/seeki --demo

demo: run

deps:
	@scripts/install-deps

# What the tests need on top: PostgreSQL, sshd, Criterion, pytest, Chromium,
# clang's sanitizer runtime, Node.js, and playwright-core from the lockfile.
deps-test:
	@scripts/install-deps --test

# Every test: unit + integration, plain and under ASan+UBSan, then one
# summary line "N passed, N failed". Installs what the tests need first, so a
# machine with only git and make passes.
test: deps-test
	@scripts/run-tests

# Unit tests only (fast loop while developing): make unit [MOD=config]
unit:
	$(MAKE) B=build/t UNIT=1 $(if $(MOD),build/t/unit/$(MOD),unit-bins)
	@for t in $(if $(MOD),build/t/unit/$(MOD),$(UNIT_MODS:%=build/t/unit/%)); do $$t || exit 1; done

# Benchmarks (not part of `make test`): each bench/*.py prints ratios
# against an anchor measured in the same run; bench/figures.py is issue #15's
# table (docs/benchmarks.md). Installs what it needs first (wrk, gnuplot,
# PostgreSQL with pgbench, sshd). SEEKI_BENCH_QUICK=1: a ~2-minute smoke run.
bench: deps-bench
	$(MAKE) -s $(B)/seeki $(B)/pgcsv_probe
	@for b in bench/*.py; do SEEKI_BIN=$${SEEKI_BIN:-$(B)/seeki} PGCSV_PROBE=$(B)/pgcsv_probe \
	    $(if $(SEEKI_BENCH_QUICK),SEEKI_BENCH_N=$${SEEKI_BENCH_N:-3}) \
	    /usr/bin/python3 $$b || exit 1; done

deps-bench:
	@scripts/install-deps --bench

# The "limit" anchor of the export figure: libpq single-row mode + CSV in C.
$(B)/pgcsv_probe: bench/pgcsv_probe.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(OPT) $(WARN) $(WERROR) $(shell pkg-config --cflags libpq) -o $@ $< \
	    $(shell pkg-config --libs libpq)

sanitize:
	$(MAKE) B=build/asan UNIT=1 SAN=1 unit-bins build/asan/seeki build/asan/tunnel_probe

check-banned:
	@scripts/check-banned

format:
	clang-format -i $$(find src tests/unit -name '*.[ch]' -o -name '*.cpp')

clean:
	rm -rf build

include tests/tunnel/Makefile.inc

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)
