# LAPOR — developer entry points. `make help` lists them.
SHELL := /bin/bash

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
PORT    ?= 8000
STAGE   ?= dev
REGION  ?= ap-southeast-3
# USER is also the login name in the environment: only `make token USER=...` counts.
TOKEN_USER := $(if $(filter command line,$(origin USER)),$(USER),)

.DEFAULT_GOAL := help
.PHONY: help .venv venv run test fuzz token sweep retention inbound reply-address rebuild-stats package deploy clean axe leaflet
# The accessibility checker the browser tests inject (MPL-2.0), fetched from the npm registry into
# a git-ignored folder; never packaged.
AXE_VERSION := 4.10.3
AXE         := .cache/axe-core-$(AXE_VERSION)/axe.min.js

help:
	@echo "make .venv            create/update the virtualenv (python3.11) from requirements-dev.txt"
	@echo "make run [PORT=8000]  moto + chalice local with demo data (Ctrl+C stops)"
	@echo "make token USER=name  ID token of a demo staff user (last line of output)"
	@echo "make test             run the test suite"
	@echo "make fuzz [EXAMPLES=150]  schemathesis on every operation, more examples than make test"
	@echo "make sweep [AT=iso]   run the scheduled sweep once (against the local stack if running)"
	@echo "make retention [AT=day|iso] [DRY_RUN=1]  erase reporters of reports closed long enough ago (DRY_RUN: list only)"
	@echo "make inbound CHANNEL=sms FROM=+62812... TEXT=\"LAPOR MEDAN ...\" [ID=...]  an inbound SMS into the local stack"
	@echo "make inbound CHANNEL=email FILE=message.eml [TO=r+...@...] [ID=...]  an inbound e-mail (SES receipt: S3 + Lambda) into the local stack"
	@echo "make reply-address TID=C0P7-RX82 FOR=penghubung.dishub.medan  the signed Reply-To of mail about TID to FOR (or FOR=reporter)"
	@echo "make inbound CHANNEL=whatsapp FROM=+62812... TEXT=\"Halo\" [IMAGE=photo.jpg] [ID=...]  a signed WhatsApp webhook delivery"
	@echo "make rebuild-stats [REPAIR=1]  compare statistics counters with the reports (REPAIR: add the differences)"
	@echo "make package          build the deployable stack for \$$STAGE into build/\$$STAGE"
	@echo "make deploy           package, upload and deploy (STAGE, ARTIFACT_BUCKET, PARAMS)"
	@echo "make clean            remove build output, caches and .local/"

# The venv is (re)built when a requirements file changes; the stamp records the last install.
$(STAMP): requirements.txt requirements-dev.txt
	@if [ ! -x $(PY) ]; then \
	  BOOT=$$(command -v python3.11 || true); \
	  if [ -z "$$BOOT" ] && command -v python3 >/dev/null 2>&1 \
	     && python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
	    BOOT=$$(command -v python3); \
	  fi; \
	  if [ -z "$$BOOT" ]; then echo "ERROR: Python 3.11 is required (python3.11 not found)" >&2; exit 1; fi; \
	  echo "== creating $(VENV) with $$BOOT"; \
	  "$$BOOT" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

.venv venv: $(STAMP)

run: $(STAMP)
	$(PY) -m devtools.local_run --port $(PORT)

# Two workers: the machine has two cores; each worker starts its own local stack for e2e tests.
test: $(STAMP)
	@$(MAKE) --no-print-directory axe || echo "WARNING: axe-core not fetched; the accessibility checks will skip" >&2
	$(PY) -m pytest -q -n 2

axe: $(AXE)

$(AXE):
	@mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null \
	  && tar -xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js package/LICENSE \
	  && rm -f axe-core-$(AXE_VERSION).tgz

# The list page's map library (BSD-2-Clause), served by the API: its minified files and LICENSE are
# committed in web/leaflet/ (the package must carry them); this target fetches them again
# from the npm registry (to update LEAFLET_VERSION, then commit the result).
LEAFLET_VERSION := 1.9.4

leaflet:
	@mkdir -p web/leaflet
	tmp=$$(mktemp -d) && cd $$tmp && npm pack --silent leaflet@$(LEAFLET_VERSION) >/dev/null \
	  && tar -xzf leaflet-$(LEAFLET_VERSION).tgz package/dist/leaflet.js package/dist/leaflet.css package/LICENSE \
	  && cd - >/dev/null && cp $$tmp/package/dist/leaflet.js $$tmp/package/dist/leaflet.css $$tmp/package/LICENSE web/leaflet/ \
	  && rm -rf $$tmp

# Its own local stack; EXAMPLES per operation and generation mode.
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(or $(EXAMPLES),150) $(PY) -m pytest tests/e2e/test_fuzz.py -q -s -p no:cacheprovider

token: $(STAMP)
	@if [ -z "$(TOKEN_USER)" ]; then echo "usage: make token USER=admin.pusat" >&2; exit 2; fi
	@$(PY) -m devtools.token "$(TOKEN_USER)"

# Uses the local stack's environment when it is running (.local/env.sh is written by `make run`).
sweep: $(STAMP)
	@if [ -f .local/env.sh ]; then . ./.local/env.sh; fi; \
	$(PY) -m scheduled.sweep $(if $(AT),--at "$(AT)")

# The daily retention job once, as of AT, against the running local stack; DRY_RUN=1 lists what is due.
retention: $(STAMP)
	@if [ -f .local/env.sh ]; then . ./.local/env.sh; fi; \
	$(PY) -m scheduled.retention $(if $(AT),--at "$(AT)") $(if $(DRY_RUN),--dry-run)

# An inbound message as the provider delivers it, into its handler, against the running local stack.
# FROM and TEXT are read from the environment (make exports command-line variables), so any text is safe.
inbound: $(STAMP)
	@if [ "$(or $(CHANNEL),sms)" = email ]; then [ -n "$(FILE)" ] || { echo 'usage: make inbound CHANNEL=email FILE=tests/fixtures/mail/new-report.eml [ID=...]' >&2; exit 2; }; \
	elif [ "$(CHANNEL)" = whatsapp ]; then { [ -n "$(FROM)" ] && [ -n "$(TEXT)$(IMAGE)" ]; } || { echo 'usage: make inbound CHANNEL=whatsapp FROM=+6281234567890 TEXT="Halo" [IMAGE=photo.jpg]' >&2; exit 2; }; \
	elif [ -z "$(FROM)" ] || [ -z "$(TEXT)" ]; then echo 'usage: make inbound CHANNEL=sms FROM=+6281234567890 TEXT="LAPOR MEDAN Lampu jalan mati"' >&2; exit 2; fi
	@if [ -f .local/env.sh ]; then . ./.local/env.sh; fi; \
	$(PY) -m devtools.inbound --channel "$(or $(CHANNEL),sms)" $(if $(FILE),--file "$$FILE") \
	  $(if $(FROM),--from "$$FROM") $(if $(TEXT),--text "$$TEXT") $(if $(IMAGE),--image "$$IMAGE") $(if $(ID),--id "$$ID") $(if $(TO),--to "$$TO")

# The signed reply address the platform's mail about a report carries for one reader (moto keeps no Reply-To).
reply-address: $(STAMP)
	@if [ -z "$(TID)" ]; then echo 'usage: make reply-address TID=C0P7-RX82 FOR=penghubung.dishub.medan' >&2; exit 2; fi
	@if [ -f .local/env.sh ]; then . ./.local/env.sh; fi; \
	$(PY) -m devtools.inbound --reply-address "$$TID" --for "$(or $(FOR),reporter)"

rebuild-stats: $(STAMP)
	@if [ -f .local/env.sh ]; then . ./.local/env.sh; fi; \
	$(PY) -m scheduled.rebuild_stats $(if $(REPAIR),--repair)

package: $(STAMP)
	$(PY) -m infra.package --stage $(STAGE)

# make deploy STAGE=prod ARTIFACT_BUCKET=bucket PARAMS="SesDomain=... PublicOrigin=https://... AccessCodeKey=..."
deploy: package
	@if [ -z "$(ARTIFACT_BUCKET)" ] || [ -z "$(PARAMS)" ]; then echo 'usage: make deploy STAGE=prod ARTIFACT_BUCKET=bucket PARAMS="SesDomain=... PublicOrigin=https://... AccessCodeKey=..."' >&2; exit 2; fi
	aws cloudformation package --region $(REGION) --template-file build/$(STAGE)/sam.json \
	  --s3-bucket $(ARTIFACT_BUCKET) --s3-prefix lapor-$(STAGE) --use-json --output-template-file build/$(STAGE)/packaged.json
	aws cloudformation deploy --region $(REGION) --template-file build/$(STAGE)/packaged.json \
	  --stack-name lapor-$(STAGE) --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	  --parameter-overrides $(PARAMS) --no-fail-on-empty-changeset
	aws cloudformation describe-stacks --region $(REGION) --stack-name lapor-$(STAGE) --query 'Stacks[0].Outputs' --output table

clean:
	rm -rf build .local test-artifacts .pytest_cache .hypothesis
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
