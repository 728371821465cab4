# The README's commands. Each script is idempotent and quick the second time.
.PHONY: run test lint bench install clean

run:
	scripts/run.sh

test:
	scripts/test.sh $(ARGS)

lint:
	scripts/venv.sh
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

bench:
	scripts/bench.sh

install:
	scripts/venv.sh
	scripts/build-assets.sh

clean:
	rm -rf .venv node_modules static/dist staticfiles
