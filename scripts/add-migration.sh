#!/usr/bin/env bash
# Adds an EF Core migration named <Name> for BOTH providers after a change to the model (FlowEngineDbContext or
# its entities): the SQLite one in src/FlowEngine.Persistence/Migrations and the PostgreSQL one in
# src/FlowEngine.Persistence.PostgreSql/Migrations. Neither needs a database server.
#   scripts/add-migration.sh AddWidgets
# Tests fail when either provider's migrations are behind the model (PostgreSQL: FlowEngine.PostgreSql.Tests).
set -euo pipefail
if [ $# -ne 1 ] || [[ ! "$1" =~ ^[A-Z][A-Za-z0-9]*$ ]]; then
  echo "usage: scripts/add-migration.sh <Name>   (PascalCase, e.g. AddWidgets)" >&2
  exit 2
fi
name="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dotnet tool restore >/dev/null

cleanup() { rm -f "$root"/src/FlowEngine.Persistence/design.db*; }
trap cleanup EXIT

echo "add-migration: SQLite ($name)"
(cd src/FlowEngine.Persistence && dotnet ef migrations add "$name" --output-dir Migrations --context FlowEngineDbContext)

echo "add-migration: PostgreSQL ($name)"
(cd src/FlowEngine.Persistence.PostgreSql && dotnet ef migrations add "$name" --output-dir Migrations --context FlowEngineDbContext)

echo "add-migration: added '$name' for SQLite and PostgreSQL; review both and commit them together"
