# The two commands a new machine needs: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
JOBS  ?= $(shell nproc)
WERROR ?= ON
CMAKE_COMMON = -G Ninja -DMQTT2S3_WERROR=$(WERROR)

.PHONY: all deps build build-asan build-fuzz test unit integration fuzz demo bench stack-up stack-down stack-status clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B build $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j $(JOBS)

build-asan: deps
	cmake -S . -B build-asan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DMQTT2S3_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)

build-fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DMQTT2S3_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMQTT2S3_FUZZ=ON -DMQTT2S3_TESTS=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzzers

# Everything: deps, normal + sanitizer builds, dev stack, unit + integration tests, bounded fuzzing.
# The dev stack is stopped even when a step fails.
test: build build-asan build-fuzz
	scripts/run-tests.sh

unit: build
	ctest --test-dir build -L unit --output-on-failure -j $(JOBS)

demo: build
	scripts/demo.sh

# Micro benchmarks, then the end-to-end harness (docs/BENCHMARKS.md; rewrites its results).
bench: build
	cmake -S . -B build-bench $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMQTT2S3_BENCH=ON >/dev/null
	cmake --build build-bench -j $(JOBS) --target m2s_micro_bench
	build-bench/bench/m2s_micro_bench
	bench/e2e.sh

stack-up: deps
	scripts/dev-stack.sh up
stack-down:
	scripts/dev-stack.sh down
stack-status:
	scripts/dev-stack.sh status

clean:
	rm -rf build build-asan build-fuzz
