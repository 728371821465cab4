# The README's commands. Each script is idempotent and quick the second time.
.PHONY: run test lint bench install clean image test-image

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

# The OCI image with Debian's podman, on a base made from Debian's packages (docs/deployment.md).
image:
	scripts/image.sh

# The image built, the whole stack brought up from it with compose, and tried from outside.
test-image:
	scripts/test-image.sh $(ARGS)

install:
	scripts/venv.sh
	scripts/build-assets.sh

clean:
	rm -rf .venv node_modules static/dist staticfiles
