#!/bin/bash
# Debian's chromium, for the status page's browser test (driven headless by playwright-core with
# executablePath /usr/bin/chromium; nothing is downloaded at test time). Idempotent.
. "$(dirname "$0")/common.sh"
apt_install chromium fonts-dejavu-core
/usr/bin/chromium --version
