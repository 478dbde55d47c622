# MIRAGE -- the two-command setup:  `make run`  and  `make test`.
#
# `make install` creates .venv (python3 -m venv) and installs the project into it, editable,
# with the dev extras (pytest, pytest-benchmark, librosa as the oracle, ...; never torch).
# System libraries pip cannot provide are installed with apt-get when running as root and
# missing; otherwise the one command to run is printed. Everything is stamped: a second
# `make run` / `make test` goes straight to the job.

SHELL   := /bin/bash
PYTHON  ?= python3
VENV    ?= .venv
PY      := $(VENV)/bin/python
MIRAGE  := $(VENV)/bin/mirage
STAMP   := $(VENV)/.mirage-installed
STAMP_TRAIN := $(VENV)/.mirage-train-installed
STAMP_BENCH := $(VENV)/.mirage-bench-installed

APT_RUN  := libportaudio2
APT_TEST := jackd2 liblo-tools fluidsynth fluid-soundfont-gm timgm6mb-soundfont alsa-utils chromium puredata-core

.DEFAULT_GOAL := help
.PHONY: help install run test bench model install-train install-bench sysdeps sysdeps-test clean distclean

help:
	@echo "make run     run the real-time engine on the demo song (OSC to 127.0.0.1:12345)"
	@echo "make test    run the test suite"
	@echo "make bench   benchmarks vs librosa, essentia, aubio; the engine and audio→OSC latency on JACK: bench/latest.json, .png"
	@echo "make model   train the emotion model (installs the training extras)"
	@echo "make install create $(VENV) and install MIRAGE into it (run/test do this)"

# $(call apt_ensure,packages): install the missing ones as root, else say how.
define apt_ensure
	@missing=""; \
	if ! command -v dpkg >/dev/null 2>&1; then \
	  echo "make: not a Debian/Ubuntu system; make sure these are installed: $(1)"; exit 0; \
	fi; \
	for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "make: installing system packages:$$missing"; \
	  ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -q; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	else \
	  echo "make: missing system packages:$$missing -- run:  sudo apt-get install -y$$missing"; \
	fi
endef

install: $(STAMP) sysdeps

sysdeps:
	$(call apt_ensure,$(APT_RUN))

sysdeps-test: sysdeps
	$(call apt_ensure,$(APT_TEST))

$(STAMP): pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  $(PYTHON) -c 'import ensurepip' 2>/dev/null || $(MAKE) --no-print-directory _venv-support; \
	  echo "make: creating $(VENV)"; $(PYTHON) -m venv $(VENV); \
	fi
	$(PY) -m pip install --disable-pip-version-check -q -e '.[dev]'
	@touch $@

.PHONY: _venv-support
_venv-support:
	$(call apt_ensure,python3-venv)

# The demo song through the real-time engine: played on the sound card if there is one
# (else paced by a clock), features and mood sent as OSC to 127.0.0.1:12345.
run: install
	$(MIRAGE) run --input demo

test: install sysdeps-test
	$(PY) -m pytest tests/

# The peers for `mirage bench` (the `bench` extra: essentia, aubio). If one of them cannot
# be installed here (aubio builds from source), the others still are, with a notice, and
# `mirage bench` marks the missing one as skipped in its table.
BENCH_PEERS := essentia aubio

install-bench: $(STAMP_BENCH)

$(STAMP_BENCH): $(STAMP)
	@$(PY) -m pip install --disable-pip-version-check -q -e '.[dev,bench]' || \
	for peer in $(BENCH_PEERS); do \
	  $(PY) -m pip install --disable-pip-version-check -q "$$peer" || \
	    echo "make: could not install $$peer; mirage bench will show it as skipped"; \
	done
	@touch $@

bench: install install-bench sysdeps-test
	$(MIRAGE) bench --realtime --json bench/latest.json --plot bench/latest.png
	$(PY) -m pytest bench/ --benchmark-only

# Training needs torch (CPU): installed here only, never by install/test.
install-train: $(STAMP_TRAIN)

$(STAMP_TRAIN): $(STAMP)
	$(PY) -m pip install --disable-pip-version-check -q torch==2.13.0
	$(PY) -m pip install --disable-pip-version-check -q -e '.[dev,train]'
	@touch $@

# The emotion model (models/README.md): render VGMIDI with fluidsynth (cached outside the
# repo), extract features, cross-validate and train, export ONNX, check it on EMOPIA,
# cross-validate once more on a second split of the series, print the metrics tables.
# About 2 h on one core from scratch (renders ≈ 55 min, features ≈ 13, training ≈ 25,
# the external check on EMOPIA ≈ 2, the second split ≈ 22).
APT_MODEL := fluidsynth fluid-soundfont-gm timgm6mb-soundfont musescore-general-soundfont-small

model: install-train
	$(call apt_ensure,$(APT_MODEL))
	$(PY) -m models.render
	$(PY) -m models.dataset
	$(PY) -m models.train
	$(PY) -m models.external
	$(PY) -m models.train --split-seed 2026
	$(PY) -m models.report
	$(PY) -m models.report --split-seed 2026

clean:
	rm -f $(STAMP) $(STAMP_TRAIN) $(STAMP_BENCH)
	rm -rf .pytest_cache .benchmarks

distclean: clean
	rm -rf $(VENV)
