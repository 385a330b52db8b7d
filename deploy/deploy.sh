#!/usr/bin/env bash
# `make deploy`: the default exercise in containers (deploy/compose.yaml), after `make images`.
# Issues the exercise's identities, brings the deployment up, waits for the observer's report and
# says where it is; the deployment stays up for inspection (`make deploy-down` removes it).
# `deploy.sh down` removes it.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD="$PWD/deploy/build"
compose() {
  MUSTER_EXERCISE="$(cat "$BUILD/exercise" 2>/dev/null || echo none)" \
  MUSTER_IDENTITIES="$BUILD/identities" MUSTER_OUT="$BUILD/reports" MUSTER_UID="$(id -u)" \
    docker-compose --project-name muster --file deploy/compose.yaml "$@"
}

if [[ "${1:-up}" == "down" ]]; then
  compose down --volumes --remove-orphans
  exit 0
fi

compose down --volumes --remove-orphans >/dev/null 2>&1 || true
rm -rf "$BUILD"
mkdir -p "$BUILD/reports"
exercise="deploy-$(date +%Y%m%d-%H%M%S)"
echo "$exercise" > "$BUILD/exercise"
target/static/x86_64-unknown-linux-gnu/release/muster identities \
  --scenario scenarios/cst-2025.toml --exercise "$exercise" --out "$BUILD/identities" \
  --console https://127.0.0.1:7480 --authority "$BUILD/authority" > "$BUILD/invites.txt"
echo "deploy: exercise $exercise; identities in $BUILD/identities (invite links in $BUILD/invites.txt); the authority's key, which no container sees, in $BUILD/authority"
compose up --detach --quiet-pull
report="$BUILD/reports/report.md"
for _ in $(seq 1 600); do
  [[ -s "$report" ]] && break
  sleep 0.5
done
if [[ ! -s "$report" ]]; then
  echo "deploy: no report after 5 minutes; the services say:" >&2
  compose ps >&2
  compose logs --tail 20 coordinator-1 coordinator-2 observer >&2
  exit 1
fi
compose ps
echo "deploy: the exercise concluded; report: $report (report.html and report.json beside it)"
echo "deploy: metrics: curl http://$(compose port gateway-1 9090)/metrics (every service serves them on 9090 while it runs: docker-compose -p muster port <service> 9090)"
nats="tls://$(compose port nats-1 4222)"
echo "deploy: every NATS connection and route is TLS under the exercise's authority ($BUILD/identities/ca.pem): muster status --nats $nats --nats-ca $BUILD/identities/ca.pem --nkey $BUILD/identities/director.nk --exercise $exercise"
echo "deploy: the deployment stays up (console https://127.0.0.1:7480, its certificate issued by that authority); make deploy-down removes it"
