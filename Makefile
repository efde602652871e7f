# shuniu - the two commands of README.md, and the rest.
#   make          build build/shuniu (release, with debug info)
#   make demo     install what is needed, build, run the demo office
#   make test     install what is needed, build with ASan+UBSan, run every test
#   make bench    benchmarks (figures printed; never a pass/fail timing)
#   make fuzz     every libFuzzer target for a set time (FUZZ_SECONDS)
#   make torture  the long reliability tests (crash, two nodes, backup)
#   make soak     10 minutes of mixed load at 100 connections
#   make valgrind the unit tests under valgrind
#   make format   clang-format every C file

BUILD      ?= build
ASAN_BUILD ?= build/asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: all deps build demo test unit bench fuzz torture soak valgrind format clean

all: build

deps:
	@sh scripts/deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j $(JOBS) --target shuniu

demo: deps build
	$(BUILD)/shuniu demo

test: deps
	@sh scripts/test.sh

bench: deps build
	@sh bench/run.sh

fuzz: deps
	@sh scripts/fuzz.sh

torture: deps
	@sh tests/torture/run.sh

soak: deps
	@sh bench/soak.sh

valgrind: deps
	@sh scripts/valgrind.sh

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
