#!/usr/bin/env bash
# Installs GOV.UK Frontend (exact version, package-lock.json) and compiles our branded stylesheet
# into static/dist/. Nothing here is committed; it is rebuilt from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=static/dist/.built
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ] && [ -z "$(find styles -newer "$stamp" -type f)" ]; then
  exit 0
fi

command -v npm >/dev/null || { echo "npm is needed to build the front-end assets (apt-get install nodejs npm)" >&2; exit 1; }
npm ci --no-audit --no-fund --loglevel=error
rm -rf static/dist && mkdir -p static/dist/govuk
frontend=node_modules/govuk-frontend/dist/govuk
cp "$frontend/govuk-frontend.min.js" static/dist/govuk/
# Images only: we do not use the GDS Transport font, and the crest is referenced by the CSS.
mkdir -p static/dist/govuk/assets && cp -r "$frontend/assets/images" static/dist/govuk/assets/
# The source-map comment would point at a file we do not ship; WhiteNoise's manifest step
# refuses references to missing files.
sed -i 's#//\# sourceMappingURL=.*$##' static/dist/govuk/govuk-frontend.min.js
npx --no-install sass --quiet-deps --silence-deprecation=import --no-source-map --style=compressed \
  --load-path=node_modules styles/safer-derbyshire.scss static/dist/safer-derbyshire.css
touch "$stamp"
echo "Built static/dist (govuk-frontend $(node -p 'require("./node_modules/govuk-frontend/package.json").version'))"
