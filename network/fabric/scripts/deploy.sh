#!/usr/bin/env bash
# Deploy (or upgrade) a chaincode on the local Anxin Fabric network as a service (CCaaS):
# package -> install on every peer -> start the chaincode server -> approve for every
# org -> check commit readiness -> commit -> wait until every org sees it committed.
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() {
  cat <<EOF
usage: deploy.sh [options]

Packages a chaincode-as-a-service package (metadata.json {type: ccaas} + code.tar.gz with
connection.json), installs it on every peer, starts the chaincode server
(fabric-chaincode-node server, run in --cc-dir), approves it for every organisation,
commits it and waits until it is committed and answers. Running it again with a new
--version and the next --sequence upgrades: new package, new server, old server stopped
once the new definition is committed. Prints the deployment as JSON on stdout.

options:
  --dir DIR             network folder (default \$ANXIN_FABRIC_DIR or ./.anxin/fabric)
  --name NAME           chaincode name (default: network.json's gateway.chaincode, as
                        network.sh up --chaincode set it; else anxin)
  --version V           version label (default: the sequence number)
  --sequence S          definition sequence (default: the committed one + 1, or 1)
  --address HOST:PORT   where the chaincode server listens (default 127.0.0.1:<free port from 29050>)
  --cc-dir DIR          chaincode package folder (has package.json; default <repo>/chaincode)
  --init-required       the definition requires an Init transaction
  --init-args JSON      with --init-required: invoke this (e.g. '{"Args":["init"]}') with --isInit after commit
  --signature-policy P  endorsement policy, e.g. "OR('Org1MSP.peer','Org2MSP.peer')"
                        (default: the channel's Endorsement policy, MAJORITY of the orgs)
  --warmup FN           query FN on every peer after commit so each peer has connected to the
                        server (default org.hyperledger.fabric:GetMetadata, which any
                        fabric-contract-api chaincode answers; "none" to skip)

environment: FABRIC_BIN (required), FABRIC_CFG_PATH, ANXIN_FABRIC_WAIT (seconds, default 60)

example:
  FABRIC_BIN=/opt/fabric/bin network/fabric/scripts/deploy.sh --dir /tmp/anxin-fabric --name anxin --version 1.0 --sequence 1
EOF
}

DIR="$DEFAULT_DIR"
NAME=""
VERSION=""
SEQUENCE=""
ADDRESS=""
CC_DIR="$REPO_DIR/chaincode"
INIT_REQUIRED=""
INIT_ARGS=""
SIGNATURE_POLICY=""
WARMUP="org.hyperledger.fabric:GetMetadata"
while (($#)); do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    --version) VERSION="$2"; shift 2 ;;
    --sequence) SEQUENCE="$2"; shift 2 ;;
    --address) ADDRESS="$2"; shift 2 ;;
    --cc-dir) CC_DIR="$2"; shift 2 ;;
    --init-required) INIT_REQUIRED=1; shift ;;
    --init-args) INIT_ARGS="$2"; shift 2 ;;
    --signature-policy) SIGNATURE_POLICY="$2"; shift 2 ;;
    --warmup) WARMUP="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

require_tools
require_fabric
require_built
load_network "$DIR"
[[ -n "$NAME" ]] || NAME="$(jq -r '.gateway.chaincode // "anxin"' "$NETWORK_JSON")"
[[ "$NAME" =~ ^[a-zA-Z0-9]+([-_][a-zA-Z0-9]+)*$ ]] || die "bad chaincode name '$NAME'"
[[ -d "$CC_DIR" && -f "$CC_DIR/package.json" ]] || die "--cc-dir $CC_DIR is not a chaincode package (no package.json)"
CC_DIR="$(cd "$CC_DIR" && pwd)"
pid_alive "$(nj '.orgs[0].peers[0].pidFile')" peer || die "the network in $NET_DIR is not running (network.sh up --dir $DIR)"
started=$SECONDS

CC_ROOT="$NET_DIR/chaincode/$NAME"
CURRENT="$CC_ROOT/current.json"
mkdir -p "$CC_ROOT"

# --- what is committed now ------------------------------------------------------------

committed_sequence() { # ORG: prints the committed sequence of NAME on org ORG's peer0, or 0
  local out
  if out="$(peer_cli "$1" 0 admin lifecycle chaincode querycommitted -C "$CHANNEL" -n "$NAME" -O json 2>&1)"; then
    jq -r '.sequence' <<<"$out"
  elif grep -q "not found\|not defined\|404" <<<"$out"; then
    echo 0
  else
    printf '%s\n' "$out" >&2
    return 1
  fi
}

COMMITTED="$(committed_sequence 0)" || die "querycommitted failed"
[[ -n "$SEQUENCE" ]] || SEQUENCE=$((COMMITTED + 1))
[[ "$SEQUENCE" =~ ^[1-9][0-9]*$ ]] || die "bad --sequence $SEQUENCE"
[[ -n "$VERSION" ]] || VERSION="$SEQUENCE"
LABEL="${NAME}_${VERSION}"
[[ "$LABEL" =~ ^[[:alnum:]][[:alnum:]_.+-]*$ ]] || die "bad version '$VERSION' (label $LABEL)"

if ((SEQUENCE <= COMMITTED)); then
  if ((SEQUENCE == COMMITTED)) && [[ -f "$CURRENT" ]] && [[ "$(jq -r .sequence "$CURRENT")" == "$SEQUENCE" ]]; then
    log "$NAME sequence $SEQUENCE is already committed; making sure its server runs"
    start_cc_server "$CURRENT"
    cat "$CURRENT"
    exit 0
  fi
  die "$NAME sequence $COMMITTED is committed; the next deployment needs --sequence $((COMMITTED + 1))"
fi
((SEQUENCE == COMMITTED + 1)) || die "$NAME sequence $COMMITTED is committed; --sequence must be $((COMMITTED + 1)), not $SEQUENCE"

# --- the old server, the new address ----------------------------------------------------

OLD_PIDFILE="" OLD_PKGID="" OLD_ADDRESS=""
if [[ -f "$CURRENT" ]]; then
  OLD_PIDFILE="$(jq -r .pidFile "$CURRENT")"
  OLD_PKGID="$(jq -r .packageId "$CURRENT")"
  OLD_ADDRESS="$(jq -r .address "$CURRENT")"
fi
if [[ -z "$ADDRESS" ]]; then
  ADDRESS="127.0.0.1:$(node "$CLI_JS" free-port --base 29050 --avoid "${OLD_ADDRESS##*:}")"
fi
[[ "$ADDRESS" =~ ^[^:]+:[0-9]+$ ]] || die "bad --address $ADDRESS (want host:port)"

# --- package ----------------------------------------------------------------------------

WORK="$CC_ROOT/$LABEL-seq$SEQUENCE"
rm -rf "$WORK"
mkdir -p "$WORK/src" "$WORK/pkg"
jq -n --arg address "$ADDRESS" \
  --rawfile client_key "$(nj .chaincodeTls.clientKey)" \
  --rawfile client_cert "$(nj .chaincodeTls.clientCert)" \
  --rawfile root_cert "$(nj .chaincodeTls.caCert)" \
  '{address: $address, dial_timeout: "10s", tls_required: true, client_auth_required: true,
    client_key: $client_key, client_cert: $client_cert, root_cert: $root_cert}' >"$WORK/src/connection.json"
src_entries=(connection.json)
if [[ -d "$CC_DIR/META-INF" ]]; then
  cp -R "$CC_DIR/META-INF" "$WORK/src/META-INF"
  src_entries+=(META-INF)
fi
tar -C "$WORK/src" -czf "$WORK/pkg/code.tar.gz" "${src_entries[@]}"
jq -n --arg lbl "$LABEL" '{type: "ccaas", "label": $lbl}' >"$WORK/pkg/metadata.json"
PACKAGE="$WORK/$LABEL.tar.gz"
tar -C "$WORK/pkg" -czf "$PACKAGE" metadata.json code.tar.gz
PACKAGE_ID="$(FABRIC_CFG_PATH="$FABRIC_CFG_PATH" "$FABRIC_BIN/peer" lifecycle chaincode calculatepackageid "$PACKAGE" 2>/dev/null)" ||
  die "peer lifecycle chaincode calculatepackageid failed on $PACKAGE"
log "package $LABEL: $PACKAGE_ID (server at $ADDRESS)"

# --- install on every peer --------------------------------------------------------------

install_on() {
  local o="$1" p="$2" out
  if peer_cli "$o" "$p" admin lifecycle chaincode queryinstalled -O json 2>/dev/null |
    jq -e --arg id "$PACKAGE_ID" '.installed_chaincodes // [] | any(.package_id == $id)' >/dev/null; then
    return 0
  fi
  log "installing on $(nj ".orgs[$o].peers[$p].name")"
  out="$(peer_cli "$o" "$p" admin lifecycle chaincode install "$PACKAGE" 2>&1)" ||
    grep -q "already successfully installed" <<<"$out" ||
    die "install on $(nj ".orgs[$o].peers[$p].name") failed: $out"
}
for ((o = 0; o < ORG_COUNT; o++)); do
  n="$(nj ".orgs[$o].peers | length")"
  for ((p = 0; p < n; p++)); do install_on "$o" "$p"; done
done

# --- start the chaincode server ---------------------------------------------------------

DEPLOYMENT="$WORK/deployment.json"
jq -n --arg name "$NAME" --arg version "$VERSION" --argjson sequence "$SEQUENCE" --arg lbl "$LABEL" \
  --arg packageId "$PACKAGE_ID" --arg address "$ADDRESS" --arg ccDir "$CC_DIR" --arg package "$PACKAGE" \
  --arg pidFile "$WORK/server.pid" --arg logFile "$WORK/server.log" --arg channel "$CHANNEL" \
  --argjson initRequired "$([[ -n "$INIT_REQUIRED" ]] && echo true || echo false)" \
  --arg signaturePolicy "$SIGNATURE_POLICY" \
  '{name: $name, version: $version, sequence: $sequence, "label": $lbl, packageId: $packageId,
    channel: $channel, address: $address, ccDir: $ccDir, package: $package, pidFile: $pidFile,
    logFile: $logFile, initRequired: $initRequired,
    signaturePolicy: (if $signaturePolicy == "" then null else $signaturePolicy end)}' >"$DEPLOYMENT"
if [[ -n "$OLD_PIDFILE" && "$OLD_ADDRESS" == "$ADDRESS" ]]; then
  log "the new server takes the old one's address $ADDRESS: stopping the old server first"
  stop_pid "$OLD_PIDFILE" "$OLD_PKGID"
fi
# If anything below fails, the new server goes away again (the old one keeps serving).
NEW_SERVER_STARTED=""
cleanup_failed() {
  if [[ -n "$NEW_SERVER_STARTED" ]]; then
    log "deployment failed: stopping the new chaincode server $PACKAGE_ID"
    stop_pid "$WORK/server.pid" "$PACKAGE_ID"
  fi
}
trap cleanup_failed EXIT
start_cc_server "$DEPLOYMENT"
NEW_SERVER_STARTED=1

# --- approve, commit --------------------------------------------------------------------

orderer_tls_args
def_args=(-C "$CHANNEL" -n "$NAME" -v "$VERSION" --sequence "$SEQUENCE")
[[ -n "$INIT_REQUIRED" ]] && def_args+=(--init-required)
[[ -n "$SIGNATURE_POLICY" ]] && def_args+=(--signature-policy "$SIGNATURE_POLICY")

for ((o = 0; o < ORG_COUNT; o++)); do
  log "approving for $(nj ".orgs[$o].mspId")"
  out="$(peer_cli "$o" 0 admin lifecycle chaincode approveformyorg "${ORDERER_ARGS[@]}" "${def_args[@]}" \
    --package-id "$PACKAGE_ID" --waitForEvent 2>&1)" || die "approveformyorg for $(nj ".orgs[$o].mspId") failed: $out"
done

ready() {
  local out
  out="$(peer_cli 0 0 admin lifecycle chaincode checkcommitreadiness "${def_args[@]}" -O json 2>&1)" || return 1
  jq -e '.approvals | all(.)' <<<"$out" >/dev/null || { printf '%s\n' "$out"; return 1; }
}
retry "$WAIT_SECONDS" ready >/dev/null || die "not every organisation has approved $NAME sequence $SEQUENCE"

peer_args=()
for ((o = 0; o < ORG_COUNT; o++)); do
  peer_args+=(--peerAddresses "$(nj ".orgs[$o].peers[0].endpoint")" --tlsRootCertFiles "$(nj ".orgs[$o].peers[0].tlsRootCertPath")")
done
log "committing $NAME version $VERSION sequence $SEQUENCE"
out="$(peer_cli 0 0 admin lifecycle chaincode commit "${ORDERER_ARGS[@]}" "${def_args[@]}" "${peer_args[@]}" --waitForEvent 2>&1)" ||
  die "commit failed: $out"

committed_on_all() {
  local o s
  for ((o = 0; o < ORG_COUNT; o++)); do
    s="$(committed_sequence "$o")" || return 1
    [[ "$s" == "$SEQUENCE" ]] || return 1
  done
}
retry "$WAIT_SECONDS" committed_on_all >/dev/null || die "$NAME sequence $SEQUENCE is not committed on every org"

# Committed: this deployment is now the current one, whatever happens next.
jq --arg at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" '. + {committedAt: $at}' "$DEPLOYMENT" >"$DEPLOYMENT.tmp" && mv "$DEPLOYMENT.tmp" "$DEPLOYMENT"
cp "$DEPLOYMENT" "$CURRENT.tmp" && mv "$CURRENT.tmp" "$CURRENT"
NEW_SERVER_STARTED=""

if [[ -n "$INIT_REQUIRED" && -n "$INIT_ARGS" ]]; then
  log "invoking Init: $INIT_ARGS"
  out="$(peer_cli 0 0 admin chaincode invoke "${ORDERER_ARGS[@]}" -C "$CHANNEL" -n "$NAME" --isInit -c "$INIT_ARGS" \
    "${peer_args[@]}" --waitForEvent 2>&1)" || die "Init failed: $out"
fi

# --- every peer reaches the server ------------------------------------------------------

# (Skipped when Init is required but was not run here: nothing else may run before it.)
do_warmup=1
[[ "$WARMUP" == "none" ]] && do_warmup=""
[[ -n "$INIT_REQUIRED" && -z "$INIT_ARGS" ]] && do_warmup=""
if [[ -n "$do_warmup" ]]; then
  for ((o = 0; o < ORG_COUNT; o++)); do
    n="$(nj ".orgs[$o].peers | length")"
    for ((p = 0; p < n; p++)); do
      retry "$WAIT_SECONDS" peer_cli "$o" "$p" client chaincode query -C "$CHANNEL" -n "$NAME" \
        -c "{\"Args\":[\"$WARMUP\"]}" >/dev/null ||
        die "$(nj ".orgs[$o].peers[$p].name") cannot run $NAME ($WARMUP failed; server log: $WORK/server.log)"
    done
  done
fi

# --- the old server goes ----------------------------------------------------------------

if [[ -n "$OLD_PIDFILE" && "$OLD_PIDFILE" != "$WORK/server.pid" ]]; then
  log "stopping the previous server ($OLD_PKGID)"
  stop_pid "$OLD_PIDFILE" "$OLD_PKGID"
fi
log "$NAME version $VERSION sequence $SEQUENCE deployed in $((SECONDS - started))s ($PACKAGE_ID at $ADDRESS)"
cat "$CURRENT"
