# The front door. `make run` and `make test` install what is missing first (scripts/deps.sh).
SHELL := /bin/bash
PORT ?= 3000
HOST ?= 127.0.0.1
DATA ?= ./var

.PHONY: run build test faults soak fuzz-long bench cluster deps format format-check clean

run: build
	mkdir -p $(DATA)
	./build/bin/kibitz --host $(HOST) --port $(PORT) --data $(DATA)

build:
	@scripts/deps.sh build
	cmake --preset release >/dev/null
	cmake --build --preset release

test:
	@scripts/deps.sh test
	scripts/test.sh

# The fault suite at full length (make test runs it briefly).
faults:
	@scripts/deps.sh test
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	scripts/faults.sh full

# The chat soak (200 clients for 30 s by default; KIBITZ_CHAT_SOAK_* to change).
soak:
	@scripts/deps.sh test
	cmake --preset asan >/dev/null
	cmake --build --preset asan
	KIBITZ_BIN_DIR=build/asan/bin node --test --test-concurrency=1 --test-reporter=spec tests/soak/

# Each fuzzer for an hour of CPU time, merging what it finds into the committed corpora
# (FUZZ_SECONDS to change).
fuzz-long:
	@scripts/deps.sh test
	scripts/fuzz-long.sh $(or $(FUZZ_SECONDS),3600)

bench: build
	scripts/bench.sh
	scripts/bench-cluster.sh
	scripts/bench-admin.sh

# Redis, PostgreSQL, two kibitz nodes and HAProxy on loopback; Ctrl-C stops them
# (scripts/cluster.sh; KIBITZ_CLUSTER_PORT, default 8080).
cluster: build
	@scripts/deps.sh test
	scripts/cluster.sh

deps:
	scripts/deps.sh test

format:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format -i

format-check:
	git ls-files '*.cpp' '*.hpp' | xargs clang-format --dry-run --Werror

clean:
	rm -rf build
