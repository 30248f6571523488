# The two commands a new machine needs: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
JOBS  ?= $(shell nproc)
WERROR ?= ON
CMAKE_COMMON = -G Ninja -DMQTT2S3_WERROR=$(WERROR)

.PHONY: all deps deps-demo build build-asan build-fuzz build-tree build-asan-tree build-fuzz-tree \
        build-demo test unit integration fuzz demo bench stack-up stack-down stack-status clean

all: build

# Every dependency (Debian, PyPI venv, Maven, npm); `deps-demo` only what the demo needs.
deps:
	@scripts/install-deps.sh all
deps-demo:
	@scripts/install-deps.sh demo

# The three trees. The *-tree targets build without installing dependencies first
# (scripts/run-tests.sh times them as steps of its own).
build: deps
	@$(MAKE) --no-print-directory build-tree
build-asan: deps
	@$(MAKE) --no-print-directory build-asan-tree
build-fuzz: deps
	@$(MAKE) --no-print-directory build-fuzz-tree

build-tree:
	cmake -S . -B build $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j $(JOBS)

build-asan-tree:
	cmake -S . -B build-asan $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DMQTT2S3_SANITIZE=ON >/dev/null
	cmake --build build-asan -j $(JOBS)

build-fuzz-tree:
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DMQTT2S3_WERROR=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DMQTT2S3_FUZZ=ON -DMQTT2S3_TESTS=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS) --target fuzzers

# What the demo runs: the mqtt2s3 binary only (same tree and flags as `build`, so a later
# `make test` reuses its objects), plus the dashboard's web bundle (installed by deps-demo).
build-demo: deps-demo
	cmake -S . -B build $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j $(JOBS) --target mqtt2s3

# Everything, each step timed in the summary: deps, normal + sanitizer + fuzz builds, dev stack,
# unit + integration tests, bounded fuzzing. The dev stack is stopped even when a step fails.
test:
	scripts/run-tests.sh --all

unit: build
	ctest --test-dir build -L unit --output-on-failure -j $(JOBS)

demo: build-demo
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
