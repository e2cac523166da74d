# Makefile: tangle, build, weave and test the Lguest Adventure.
#
#   make            install missing Debian packages, tangle, build, weave
#   make test       everything above, then every test; ends "N passed, N failed"
#   make tangle     chapters/*.nw -> build/src (unchanged files keep their time)
#   make weave      the book: build/book/html/ and build/book/*.pdf
#   make Host!      print one chapter's prose in the terminal; make Beer: all
#
# All code is written in chapters/*.nw; everything under build/ is generated.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := all
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

B := build
T := $(B)/tools
NOWEB := /usr/lib/noweb
CHAPTERS := $(sort $(wildcard chapters/0*.nw))
PAGES := $(notdir $(CHAPTERS:.nw=))
# The appendices, after chapter 7 and before the indexes, in this order:
# pandoc Markdown, written in both languages like the chapters' prose.
APPENDICES := book/hints.md book/glossary.md
APPENDIX_PAGES := $(notdir $(APPENDICES:.md=))
ROOTS := $(shell grep -v -e '^\#' -e '^$$' tools/roots.txt)
SRCS := $(addprefix $(B)/src/,$(ROOTS))
TOOL_CFLAGS := -std=gnu11 -O2 -Wall -Wextra -Werror

.PHONY: all deps tangle build weave weave-html weave-pdf check-book test \
	clean Beer kernel-vars scenarios check-exercises

all: deps tangle build weave

# ---- Packages ------------------------------------------------------------
# What depends on installed packages (the kernel's version) is computed only
# after they are installed: build/kernel.mk is made after build/.deps, and
# since it is included, make reads this file again once it has been made.
# KROOT and INSTALL_DEPS let a test run this logic on a scratch tree.
INSTALL_DEPS ?= tools/install-deps
KROOT ?=
deps: $(B)/.deps
$(B)/.deps: $(INSTALL_DEPS)
	$(INSTALL_DEPS)
	@mkdir -p $(B) && touch $@
$(B)/kernel.mk: $(B)/.deps tools/kernel-version \
		$(wildcard $(KROOT)/usr/src/linux-headers-6.1*-amd64)
	tools/kernel-version $(KROOT) >$@
ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
include $(B)/kernel.mk
endif

# ---- The toolchain's own programs ----------------------------------------
$(T)/%: tools/%.c | $(B)/.deps
	@mkdir -p $(T)
	gcc $(TOOL_CFLAGS) -o $@ $<

# ---- Tangle: checks first, then every root into build/src ----------------
# The book's checks, each reporting file:line: English/Chinese pairs,
# undefined or cyclic chunks, roots exactly as tools/roots.txt lists them,
# "What lies ahead" lists that name the chapter's sections in order, and
# chapters that end with Further reading and Exercises; then the chunk
# sizes, printed for the reader of the log.  check-book (which make test
# runs) also holds them to the style notes: no chunk over 20 lines unless
# tools/long-chunks.txt says why, and a book-wide median of at most 6.
# The tangle does not, so a reader's experiment in a chunk always builds.
# A chapter in SECTIONS_EXEMPT is skipped by check-sections, which says so
# (none is: every chapter keeps its promises).
SECTIONS_EXEMPT :=
define BOOK_CHECKS
$(T)/checklang $(CHAPTERS) book/front-matter.md $(APPENDICES)
	$(NOWEB)/markup $(CHAPTERS) | $(T)/nw2md -c
	tools/check-roots tools/roots.txt $(CHAPTERS)
	tools/check-sections $(addprefix -x ,$(SECTIONS_EXEMPT)) $(CHAPTERS)
	tools/chunk-stats $(CHAPTERS)
endef
tangle: $(B)/.tangled
$(B)/.tangled: $(CHAPTERS) tools/roots.txt tools/tangle tools/check-roots \
		tools/check-sections tools/chunk-stats \
		$(T)/nw2md $(T)/checklang $(T)/nwtangle | $(B)/.deps
	$(BOOK_CHECKS)
	tools/tangle $(B)/src tools/roots.txt $(CHAPTERS)
	@touch $@
# cpif leaves an unchanged file alone, so what depends on it is not rebuilt.
$(SRCS): $(B)/.tangled ;

check-book: $(T)/nw2md $(T)/checklang | $(B)/.deps
	$(subst chunk-stats,chunk-stats -c 20 6 tools/long-chunks.txt,$(BOOK_CHECKS))
	@echo "check-book: $(words $(CHAPTERS)) chapters, $(words $(ROOTS)) roots: OK"

# ---- Build: the Host module, the Launcher, the Guest ---------------------
# The module is built against the installed Debian headers, not `uname -r`:
# the machine that builds is not the kernel that runs it (that one boots in
# QEMU).  KVER, from build/kernel.mk, is the newest 6.1 kernel with both
# an image and headers.
KDIR := $(KROOT)/usr/src/linux-headers-$(KVER)
VMLINUZ := $(KROOT)/boot/vmlinuz-$(KVER)
S := $(B)/src
BIN := $(B)/bin
O := $(B)/obj
# -Wextra, less unused parameters: callbacks and tables take what they ignore.
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
USER_CFLAGS := -std=gnu11 -O2 $(WARN) -static -pthread -I$(S)/include
GUEST_CFLAGS := -std=gnu11 -O2 $(WARN) -ffreestanding -nostdlib \
	-mgeneral-regs-only -mno-red-zone -fno-pic -fno-pie -mcmodel=large \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-I$(S)/include -I$(S)/guest
GUEST_LDFLAGS := -nostdlib -static -z noexecstack -z max-page-size=4096

HOST_SRCS := $(filter $(S)/host/% $(S)/include/lguest_abi.h,$(SRCS))
GUEST_HDRS := $(filter $(S)/guest/%.h $(S)/include/%,$(SRCS))
GUEST_OBJS := $(patsubst $(S)/%,$(O)/%.o,$(basename $(filter-out %.lds.S,\
	$(filter $(S)/guest/%.c $(S)/guest/%.S,$(SRCS)))))
# The virtio device model (chapter 4) is unit-tested on its own for now.
VIRTIO_SRCS := $(filter $(S)/launcher/virtio/%,$(SRCS))
LAUNCHER_SRCS := $(filter $(S)/launcher/%.c,$(SRCS))
# The tests' own programs: a Guest with extra commands, and host helpers.
TEST_GUEST_OBJS := $(patsubst tests/qemu/%,$(O)/tests/%.o,$(basename \
	$(wildcard tests/qemu/guest/*.c tests/qemu/guest/*.S)))
TEST_TOOLS := $(patsubst tests/qemu/host/%.c,$(BIN)/%,$(wildcard tests/qemu/host/*.c))
# Chapter 7's hostile Guest: the book's Guest and the fuzzer's files.
FUZZ_OBJS := $(patsubst $(S)/%,$(O)/%.o,$(basename $(filter \
	$(S)/fuzz/guest/%.c $(S)/fuzz/guest/%.S,$(SRCS))))
# Chapter 7's benchmarks: programs that run on the Host, the benchmark
# Guest's commands (linked into bench-guest.elf and test-guest.elf), and
# the script that runs them all.
BENCH_SRCS := $(filter $(S)/bench/%,$(SRCS))
BENCH_GUEST_OBJS := $(patsubst $(S)/%,$(O)/%.o,$(basename \
	$(filter $(S)/bench/guest/%.c,$(BENCH_SRCS))))
BENCH_PROGS := $(patsubst $(S)/bench/%.c,$(BIN)/%,$(filter-out \
	$(S)/bench/guest/%,$(filter $(S)/bench/%.c,$(BENCH_SRCS)))) \
	$(patsubst $(S)/bench/%.sh,$(BIN)/%.sh,$(filter $(S)/bench/%.sh,$(BENCH_SRCS)))
PROGRAMS := $(if $(filter $(S)/host/%,$(SRCS)),$(BIN)/lg.ko) \
	$(if $(LAUNCHER_SRCS),$(BIN)/lguest) \
	$(if $(GUEST_OBJS),$(BIN)/guest.elf $(if $(TEST_GUEST_OBJS),$(BIN)/test-guest.elf) \
		$(if $(BENCH_GUEST_OBJS),$(BIN)/bench-guest.elf)) \
	$(if $(FUZZ_OBJS),$(BIN)/fuzz-guest.elf) \
	$(BENCH_PROGS)

UNIT_TESTS := $(if $(VIRTIO_SRCS),$(B)/tests/test_virtio $(B)/tests/test_virtio_san)

build: $(B)/.abi-checked $(PROGRAMS) $(UNIT_TESTS)
# The shared headers compile on their own, in a hosted program and in a
# freestanding one (the Guest's drivers and the Launcher's devices share
# include/virtio_spec.h, as all three share include/lguest_abi.h).
SHARED_HDRS := $(filter $(S)/include/%.h,$(SRCS))
$(B)/.abi-checked: $(SHARED_HDRS)
	for h in $^; do \
		gcc -std=gnu11 -fsyntax-only $(WARN) -x c $$h; \
		gcc -std=gnu11 -fsyntax-only $(WARN) -ffreestanding -x c $$h; \
	done
	@touch $@

$(BIN)/lg.ko: $(HOST_SRCS)
	@test -n "$(KVER)" || { echo "no Debian 6.1 kernel with headers and image: tools/install-deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(abspath $(S)/host) modules
	@mkdir -p $(@D) && cp $(S)/host/lg.ko $@

$(BIN)/lguest: $(LAUNCHER_SRCS) $(VIRTIO_SRCS) $(SHARED_HDRS)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -I$(S)/launcher/virtio -o $@ $(LAUNCHER_SRCS)

$(O)/guest/%.o: $(S)/guest/%.c $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -c -o $@ $<
$(O)/guest/%.o: $(S)/guest/%.S $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -c -o $@ $<
$(O)/fuzz/guest/%.o: $(S)/fuzz/guest/%.c $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -c -o $@ $<
$(O)/fuzz/guest/%.o: $(S)/fuzz/guest/%.S $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -c -o $@ $<
$(O)/guest/guest.lds: $(S)/guest/guest.lds.S $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc -E -P -D__ASSEMBLER__ -I$(S)/include -x c -o $@ $<

$(BIN)/guest.elf: $(GUEST_OBJS) $(O)/guest/guest.lds
	@mkdir -p $(@D)
	ld $(GUEST_LDFLAGS) -T $(O)/guest/guest.lds -o $@ $(GUEST_OBJS)
$(BIN)/test-guest.elf: $(GUEST_OBJS) $(TEST_GUEST_OBJS) $(BENCH_GUEST_OBJS) \
		$(O)/guest/guest.lds
	@mkdir -p $(@D)
	ld $(GUEST_LDFLAGS) -T $(O)/guest/guest.lds -o $@ $(GUEST_OBJS) \
		$(TEST_GUEST_OBJS) $(BENCH_GUEST_OBJS)
$(BIN)/bench-guest.elf: $(GUEST_OBJS) $(BENCH_GUEST_OBJS) $(O)/guest/guest.lds
	@mkdir -p $(@D)
	ld $(GUEST_LDFLAGS) -T $(O)/guest/guest.lds -o $@ $(GUEST_OBJS) \
		$(BENCH_GUEST_OBJS)
$(O)/bench/guest/%.o: $(S)/bench/guest/%.c $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -c -o $@ $<

$(BIN)/fuzz-guest.elf: $(GUEST_OBJS) $(FUZZ_OBJS) $(O)/guest/guest.lds
	@mkdir -p $(@D)
	ld $(GUEST_LDFLAGS) -T $(O)/guest/guest.lds -o $@ $(GUEST_OBJS) \
		$(FUZZ_OBJS)

$(O)/tests/guest/%.o: tests/qemu/guest/%.c $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -Itests/qemu -c -o $@ $<
$(O)/tests/guest/%.o: tests/qemu/guest/%.S $(GUEST_HDRS)
	@mkdir -p $(@D)
	gcc $(GUEST_CFLAGS) -Itests/qemu -c -o $@ $<
$(BIN)/%: $(S)/bench/%.c
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -o $@ $<
$(BIN)/%.sh: $(S)/bench/%.sh
	@mkdir -p $(@D)
	install -m 755 $< $@
$(BIN)/%: tests/qemu/host/%.c $(wildcard tests/qemu/*.h)
	@mkdir -p $(@D)
	gcc $(USER_CFLAGS) -Itests/qemu -o $@ $<

# The device model's unit tests, plain and with ASan/UBSan.
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
$(B)/tests/test_virtio: UNIT_CFLAGS := -O2
$(B)/tests/test_virtio_san: UNIT_CFLAGS := -O1 $(SANFLAGS)
$(B)/tests/test_virtio $(B)/tests/test_virtio_san: tests/virtio/test_virtio.c \
		$(VIRTIO_SRCS) $(SHARED_HDRS)
	@mkdir -p $(@D)
	gcc -std=gnu11 -g $(UNIT_CFLAGS) $(WARN) -I$(S)/launcher/virtio \
		-I$(S)/include -o $@ $< \
		$(filter %.c,$(VIRTIO_SRCS)) -pthread

# ---- QEMU: the Host kernel boots with an initramfs of our programs -------
VM := $(B)/vm/initramfs.cpio.gz
$(VM): $(PROGRAMS) $(TEST_TOOLS) $(wildcard tests/qemu/*.sh) tools/mkinitramfs
	tools/mkinitramfs $(BIN) tests/qemu $@

.PHONY: run run-native shell bench fuzz
# Boot the Host in QEMU and drop into a Guest's shell on this terminal (from
# a pipe: the commands are read from it); CMD="ticks 10 100" runs one Guest
# command instead.  tools/run-qemu exits with the Guest's exit code.
run: all $(VM)
	VMLINUZ=$(VMLINUZ) CMD='$(CMD)' tools/run-qemu $(VM) run max $(B)/vm/run.log

# The same Guest with no Host: guest.elf booted directly on QEMU's microvm
# machine, in ring 0 (Chapter 2's native backend), with QEMU's virtio
# console, entropy device and a 4 MiB scratch disk.  CMD as for make run
# (the shell if empty); tools/run-native exits with the Guest's code.
NATIVE_DISK := $(B)/vm/native-disk.img
run-native: all
	@mkdir -p $(B)/vm
	test -e $(NATIVE_DISK) || truncate -s 4M $(NATIVE_DISK)
	CMD='$(CMD)' DISK=$(NATIVE_DISK) tools/run-native $(BIN)/guest.elf max \
		$(B)/vm/run-native.log

# Boot the Host in QEMU and give a root shell in it: lg.ko loaded, /lg.
shell: all $(VM)
	VMLINUZ=$(VMLINUZ) tools/run-qemu $(VM) shell max $(B)/vm/shell.log

# Chapter 7's benchmarks, three passes and their medians, in one boot;
# then the same Guest's workloads natively, and native/lguest ratios.
bench: all $(VM)
	VMLINUZ=$(VMLINUZ) tools/run-qemu $(VM) bench max | tests/qemu/bench-report \
		| tee $(B)/vm/bench-lguest.log
	$(BIN)/bench-native.sh $(BIN)/bench-guest.elf $(B)/vm/bench-disk.img \
		$(B)/vm/bench-lguest.log </dev/null

# Chapter 7's attacks: FUZZ_RUNS hostile Guests per CPU model, one boot
# each, the oracle after every batch; a failure prints its replay command.
FUZZ_RUNS ?= 10000
FUZZ_FAMILY ?= all
FUZZ_SEED ?= 1
FUZZ_JOBS ?= 1
CPUS ?= max max,la57=off
fuzz: all $(VM)
	VMLINUZ=$(VMLINUZ) tests/qemu/fuzz-run $(VM) "$(CPUS)" $(FUZZ_RUNS) \
		$(FUZZ_FAMILY) $(FUZZ_SEED) $(FUZZ_JOBS)

# ---- Weave: chapters -> Markdown -> HTML and PDF -------------------------
MDH := $(B)/book/md-html
MDL := $(B)/book/md-latex
HTML := $(B)/book/html
PDFS := $(B)/book/lguest-adventure.pdf $(B)/book/lguest-adventure-en.pdf \
	$(B)/book/lguest-adventure-zh.pdf
HTML_PAGES := $(addprefix $(HTML)/,index.html $(addsuffix .html,$(PAGES)) \
	$(addsuffix .html,$(APPENDIX_PAGES)) chunks.html identifiers.html search.html)

weave: weave-html weave-pdf
weave-html: $(HTML_PAGES) $(HTML)/book.css $(HTML)/book.js \
	$(HTML)/search.js $(HTML)/search-index.js
weave-pdf: $(PDFS)

# Definitions for the identifier index come from ctags over #line'd sources.
$(B)/book/tags: $(B)/.tangled tools/mktags tools/tangle $(T)/nwtangle
	@mkdir -p $(@D)
	tools/mktags $(B)/book/idx tools/roots.txt $(CHAPTERS) >$@

WEAVE_PIPE = $(NOWEB)/markup $(CHAPTERS) | $(T)/nwdefs $(B)/book/tags | \
	$(NOWEB)/finduses | $(NOWEB)/noidx

$(MDH)/.stamp $(MDL)/.stamp: $(B)/book/%/.stamp: $(CHAPTERS) $(B)/book/tags \
		$(T)/nw2md $(T)/nwdefs
	@rm -rf $(@D) && mkdir -p $(@D)
	$(WEAVE_PIPE) | $(T)/nw2md -m $(if $(findstring html,$*),html,latex) -o $(@D)
	@touch $@

PANDOC_HTML = pandoc --from markdown-superscript-subscript --to html5 --standalone \
	--template book/template.html --metadata-file book/metadata.yaml \
	--lua-filter book/filters/lang.lua --lua-filter book/filters/links.lua \
	--metadata link-ids=$(MDH)/link-ids.tsv \
	--highlight-style tango --preserve-tabs

# Each page's title, the chapters for its bar, its previous and next pages.
NAV_YAML := $(addprefix $(MDH)/,$(addsuffix .nav.yaml,index $(PAGES) \
	$(APPENDIX_PAGES) chunks identifiers search))
.SECONDARY: $(NAV_YAML)
$(MDH)/%.nav.yaml: $(MDH)/.stamp tools/page-nav $(APPENDICES)
	tools/page-nav $* $(CHAPTERS) $(APPENDICES) >$@

# An appendix's page is its Markdown as it is.
APPENDIX_MD := $(addprefix $(MDH)/,$(addsuffix .md,$(APPENDIX_PAGES)))
$(APPENDIX_MD): $(MDH)/%.md: book/%.md $(MDH)/.stamp
	cp $< $@
$(APPENDIX_MD:$(MDH)/%.md=$(HTML)/%.html): $(HTML)/%.html: $(MDH)/%.md

# Every id a link can aim at, and its page: links.lua sends a link to an
# id on another page there (a chapter's "(#hints)", an appendix's
# "(#sec:...)").
LINKED_MD := $(MDH)/index.md $(addprefix $(MDH)/,$(addsuffix .md,$(PAGES))) \
	$(APPENDIX_MD)
$(MDH)/link-ids.tsv: $(LINKED_MD) tools/link-ids.lua
	for f in $(LINKED_MD); do \
		p=$${f##*/}; \
		pandoc --from markdown-superscript-subscript --to plain \
			--lua-filter tools/link-ids.lua --metadata page=$${p%.md} \
			-o /dev/null $$f; \
	done >$@.tmp
	mv $@.tmp $@

# A chapter's or an appendix's page opens with the list of its sections
# (pandoc's --toc).
$(HTML)/%.html: $(MDH)/.stamp $(MDH)/%.nav.yaml $(MDH)/link-ids.tsv \
		book/template.html book/metadata.yaml book/filters/lang.lua \
		book/filters/links.lua
	@mkdir -p $(@D)
	$(PANDOC_HTML) --metadata-file $(MDH)/$*.nav.yaml --variable source=$* \
		$(if $(filter $*,$(PAGES) $(APPENDIX_PAGES)),--toc --toc-depth=3) \
		-o $@ $(MDH)/$*.md

# The front page: the table of contents with every section, then the
# front matter.
$(HTML)/index.html: $(MDH)/index.md
$(MDH)/index.md: $(MDH)/.stamp book/front-matter.md tools/contents $(APPENDICES)
	tools/contents $(CHAPTERS) $(APPENDICES) >$@.tmp
	cat $@.tmp book/front-matter.md >$@ && rm $@.tmp

$(HTML)/book.%: book/book.%
	@mkdir -p $(@D)
	cp $< $@

# Offline search: every section's prose in both languages, as a script
# (a page opened from file:// may not fetch a JSON file), and the page.
$(HTML)/search-index.js: $(MDH)/.stamp $(APPENDIX_MD) tools/search-index.lua
	@mkdir -p $(@D)
	echo 'var S = [];' >$@.tmp
	for p in $(PAGES) $(APPENDIX_PAGES); do \
		pandoc --from markdown-superscript-subscript --to plain \
			--lua-filter tools/search-index.lua --metadata page=$$p \
			-o /dev/null $(MDH)/$$p.md >>$@.tmp; \
	done
	mv $@.tmp $@
$(HTML)/search.js: book/search.js
	@mkdir -p $(@D)
	cp $< $@
$(HTML)/search.html: $(MDH)/search.md
$(MDH)/search.md: $(MDH)/.stamp book/search.md
	cp book/search.md $@

PANDOC_PDF = pandoc --from markdown-superscript-subscript --to latex --standalone \
	--metadata-file book/metadata.yaml --include-in-header book/preamble.tex \
	--lua-filter book/filters/lang.lua --top-level-division=chapter \
	--highlight-style tango

# lguest-adventure.pdf is bilingual; -en and -zh are single-language editions.
# The appendices come after chapter 7, unnumbered, before the indexes.
$(PDFS): $(B)/book/%.pdf: $(MDL)/.stamp book/front-matter.md $(APPENDICES) \
		book/metadata.yaml book/preamble.tex book/filters/lang.lua \
		tools/make-pdf tools/overfull
	tools/make-pdf $@ $(if $(findstring -en,$*),en,$(if $(findstring -zh,$*),zh,both)) \
		book/front-matter.md $(addprefix $(MDL)/,$(addsuffix .md,$(PAGES))) \
		$(APPENDICES) $(MDL)/chunks.md $(MDL)/identifiers.md

# ---- Reading in the terminal: make Preparation!, ..., make Beer ----------
%!: $(MDH)/.stamp
	@tools/chapter-text $(MDH) "$*"

Beer: $(MDH)/.stamp
	@for p in $(PAGES); do tools/chapter-text $(MDH) "$${p#*-}"; done

# ---- Tests ---------------------------------------------------------------
test: all $(if $(PROGRAMS),$(VM))
	VMLINUZ=$(VMLINUZ) tests/run

# A few scenarios, by name or by group, in one boot on -cpu max (CPUS=
# names others): make scenarios ONLY="bad-phys* pins".  ONLY holds shell
# patterns; a group is irq, devices, memory, shadow, images or terminal.
# The last line reads "N passed, N failed".
scenarios: $(VM)
	VMLINUZ=$(VMLINUZ) ONLY='$(ONLY)' CPUS='$(if $(filter command line environment,$(origin CPUS)),$(CPUS),max)' \
		tests/run qemu

# The book's exercises, each answer key under tests/exercises/ applied to a
# copy of the tree, built, and checked: by the build, on this machine, or
# in one boot of the Host for all of them (EXERCISES=PATTERN: only those).
check-exercises: build $(VM)
	VMLINUZ=$(VMLINUZ) tests/check-exercises $(EXERCISES)

# What the kernel variables came to (the set-up test reads this).
kernel-vars:
	@echo "KVER=$(KVER) KDIR=$(KDIR) VMLINUZ=$(VMLINUZ)"

clean:
	rm -rf $(B)
