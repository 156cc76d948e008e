#!/usr/bin/env bash
# Extract every translatable message into the POT file given as $1 (default web/locale/messages.pot):
# templates, gettext calls, N_ markers and the messages of our error classes.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-web/locale/messages.pot}
exec .venv/bin/pybabel extract -F babel.cfg --no-location --sort-output --omit-header \
	-k gettext -k ngettext:1,2 -k _ -k N_ -k AppError:2 -k NotFound:2 -k Forbidden:2 \
	-k Unauthorised:2 -k Conflict:2 -k TooMany:2 -o "$out" . >/dev/null
