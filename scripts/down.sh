#!/usr/bin/env bash
# Stops the services and the infrastructure that scripts/up.sh started (nothing else).
set -euo pipefail
CARAVAN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$CARAVAN_ROOT/scripts/lib/services.sh"
for service in "${CARAVAN_SERVICES[@]}" demo-receiver; do service_stop "$service"; done
"$CARAVAN_ROOT/scripts/infra.sh" down
