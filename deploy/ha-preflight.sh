#!/bin/sh
# Run by docker-compose.yml's ha-preflight service before any node of the "ha" profile starts:
# one clear message for each shared secret that is missing, instead of nodes that each generate
# their own master key. The values themselves are checked again, fully, by each node at start.
problems=0

complain() {
  echo "ha profile: $1" >&2
  problems=$((problems + 1))
}

if [ -z "$LATCHKEY_MASTER_KEY" ]; then
  complain 'LATCHKEY_MASTER_KEY is not set. Every node must share one master key: put LATCHKEY_MASTER_KEY=<output of: openssl rand -base64 32> in .env.'
fi

if [ -z "$LATCHKEY_ADMIN_TOKEN" ]; then
  complain 'LATCHKEY_ADMIN_TOKEN is not set. Every node must share one admin token: put LATCHKEY_ADMIN_TOKEN=<output of: openssl rand -hex 24> in .env.'
elif [ "${#LATCHKEY_ADMIN_TOKEN}" -lt 16 ]; then
  complain 'LATCHKEY_ADMIN_TOKEN must be at least 16 characters long.'
fi

# The password is written into DATABASE_URL as it is, so it must not need URL-escaping.
case "$POSTGRES_PASSWORD" in
  '')
    complain 'POSTGRES_PASSWORD is not set: put POSTGRES_PASSWORD=<output of: openssl rand -hex 24> in .env.' ;;
  *[!A-Za-z0-9._~-]*)
    complain 'POSTGRES_PASSWORD may hold only letters, digits and . _ ~ - (it goes into DATABASE_URL); try: openssl rand -hex 24.' ;;
esac

if [ "$problems" -gt 0 ]; then
  echo "ha profile: $problems setting(s) to fix before the nodes can start." >&2
  exit 1
fi
echo 'ha profile: shared settings present.'
