# shellcheck shell=bash disable=SC2034
# (SC2034: the variables set here are read by the scripts that source this file.)
# Shared helpers for network.sh and deploy.sh. Sourced, not run.
#
# Reads DIR/network.json (written by `node network/dist/fabric/cli.js init`) with jq and
# builds the environment of every Fabric process from it: the operator's core.yaml /
# orderer.yaml (FABRIC_CFG_PATH, default $FABRIC_BIN/../config) are the base, and
# everything specific to this network is overridden with CORE_* / ORDERER_* variables.

SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FABRIC_PKG_DIR="$(cd "$SCRIPTS_DIR/.." && pwd)"          # network/fabric
REPO_DIR="$(cd "$FABRIC_PKG_DIR/../.." && pwd)"          # repository root
CLI_JS="$REPO_DIR/network/dist/fabric/cli.js"
BUILDER_DIR="$FABRIC_PKG_DIR/builders/ccaas"
BUILDER_NAME="anxin-ccaas"

DEFAULT_DIR="${ANXIN_FABRIC_DIR:-./.anxin/fabric}"
WAIT_SECONDS="${ANXIN_FABRIC_WAIT:-60}"

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- prerequisites --------------------------------------------------------------------

require_tools() {
  local t
  for t in jq node tar; do
    command -v "$t" >/dev/null 2>&1 || die "'$t' is required but not on PATH"
  done
}

require_fabric() {
  [[ -n "${FABRIC_BIN:-}" ]] || die "FABRIC_BIN is not set: point it at the folder holding Fabric's peer, orderer, configtxgen and osnadmin binaries"
  FABRIC_BIN="$(cd "$FABRIC_BIN" 2>/dev/null && pwd)" || die "FABRIC_BIN=$FABRIC_BIN is not a folder"
  export FABRIC_BIN
  local b
  for b in peer orderer configtxgen osnadmin; do
    [[ -x "$FABRIC_BIN/$b" ]] || die "FABRIC_BIN=$FABRIC_BIN has no executable '$b'"
  done
  FABRIC_CFG_PATH="${FABRIC_CFG_PATH:-$FABRIC_BIN/../config}"
  [[ -f "$FABRIC_CFG_PATH/core.yaml" && -f "$FABRIC_CFG_PATH/orderer.yaml" ]] ||
    die "no core.yaml/orderer.yaml in FABRIC_CFG_PATH=$FABRIC_CFG_PATH (Fabric's release ships them in config/ next to bin/; set FABRIC_CFG_PATH)"
  FABRIC_CFG_PATH="$(cd "$FABRIC_CFG_PATH" && pwd)"
  export FABRIC_CFG_PATH
}

require_built() {
  [[ -f "$CLI_JS" ]] || die "$CLI_JS is missing: build the project first (npm run build, or npx tsc -b network)"
}

# --- network.json ---------------------------------------------------------------------

# nj FILTER [jq args...]: one value from network.json
nj() { jq -er "$@" "$NETWORK_JSON"; }

load_network() {
  NET_DIR="$(cd "$1" 2>/dev/null && pwd)" || die "no network folder $1"
  NETWORK_JSON="$NET_DIR/network.json"
  [[ -f "$NETWORK_JSON" ]] || die "$NETWORK_JSON not found: bring the network up first (network.sh up --dir $1)"
  CHANNEL="$(nj .channel)"
  ORG_COUNT="$(nj '.orgs | length')"
  ORDERER_COUNT="$(nj '.ordererOrg.orderers | length')"
  ORDERER_ENDPOINT="$(nj '.ordererOrg.orderers[0].endpoint')"
  ORDERER_HOSTNAME="$(nj '.ordererOrg.orderers[0].serverNameOverride')"
  ORDERER_TLS_CA="$(nj '.ordererOrg.tlsRootCertPath')"
}

# --- processes ------------------------------------------------------------------------

# pid_alive PIDFILE [NAME]: the pid in PIDFILE runs (and its command line contains NAME)
pid_alive() {
  local pidfile="$1" name="${2:-}" pid
  [[ -f "$pidfile" ]] || return 1
  pid="$(cat "$pidfile" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -n "$name" && -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$name" || return 1
  fi
  return 0
}

# start_bg PIDFILE LOGFILE WORKDIR CMD...: start CMD in WORKDIR, detached (own session when
# setsid exists, stdin from /dev/null, output appended to LOGFILE); its pid goes to PIDFILE.
start_bg() {
  local pidfile="$1" logfile="$2" workdir="$3" i
  shift 3
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  rm -f "$pidfile"
  local launcher=()
  command -v setsid >/dev/null 2>&1 && launcher=(setsid)
  # The inner shell writes its own pid and then execs CMD, so the pid is CMD's.
  "${launcher[@]}" nohup bash -c 'cd "$1" || exit 1; echo $$ >"$0"; shift; exec "$@"' \
    "$pidfile" "$workdir" "$@" </dev/null >>"$logfile" 2>&1 &
  for ((i = 0; i < 50; i++)); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.05
  done
  die "could not start $* (log: $logfile)"
}

# stop_pid PIDFILE NAME: TERM, wait up to 15s, then KILL; removes PIDFILE
stop_pid() {
  local pidfile="$1" name="$2" pid i
  if ! pid_alive "$pidfile" "$name"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(cat "$pidfile")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name (pid $pid) ignored SIGTERM; killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pidfile"
}

# port_listening HOST PORT: something listens there. On Linux read /proc/net/tcp (no
# connection made, so no "TLS handshake failed" noise in the node's log); elsewhere connect.
port_listening() {
  local host="$1" port="$2" hex
  if [[ -r /proc/net/tcp ]]; then
    hex="$(printf '%04X' "$port")"
    awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { found = 1 } END { exit !found }' \
      /proc/net/tcp /proc/net/tcp6 2>/dev/null
  else
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
  fi
}

# wait_tcp HOST PORT SECONDS PIDFILE LOGFILE: wait for a listener; fail early if the process died
wait_tcp() {
  local host="$1" port="$2" secs="$3" pidfile="$4" logfile="$5" i
  for ((i = 0; i < secs * 10; i++)); do
    if port_listening "$host" "$port"; then return 0; fi
    if [[ -n "$pidfile" ]] && ! pid_alive "$pidfile"; then
      tail -n 30 "$logfile" >&2 || true
      die "process of $pidfile exited before listening on $host:$port (log: $logfile)"
    fi
    sleep 0.1
  done
  tail -n 30 "$logfile" >&2 || true
  die "nothing listens on $host:$port after ${secs}s (log: $logfile)"
}

# retry SECONDS CMD...: run CMD until it succeeds (output of the last failure shown)
retry() {
  local secs="$1" start out
  shift
  start=$SECONDS
  while true; do
    if out="$("$@" 2>&1)"; then
      [[ -n "$out" ]] && printf '%s\n' "$out"
      return 0
    fi
    if ((SECONDS - start >= secs)); then
      printf '%s\n' "$out" >&2
      return 1
    fi
    sleep 0.5
  done
}

# --- node environments ----------------------------------------------------------------

# Environment every Fabric node starts with: nothing from the caller's shell except the
# basics, so stray CORE_* / ORDERER_* variables cannot leak into the network.
base_env() {
  BASE_ENV=(env -i "PATH=$PATH" "HOME=${HOME:-/tmp}" "TMPDIR=${TMPDIR:-/tmp}" "LANG=${LANG:-C.UTF-8}")
}

# orderer_env I: environment of orderer I (as NAME=value words for `env`)
orderer_env() {
  local o=".ordererOrg.orderers[$1]" tlsca
  tlsca="$(nj '.ordererOrg.tlsRootCertPath')"
  ORDERER_ENV=(
    "FABRIC_CFG_PATH=$FABRIC_CFG_PATH"
    "FABRIC_LOGGING_SPEC=${ANXIN_FABRIC_LOG_SPEC:-info}"
    "ORDERER_GENERAL_LISTENADDRESS=$(nj "$o.host")"
    "ORDERER_GENERAL_LISTENPORT=$(nj "$o.port")"
    "ORDERER_GENERAL_LOCALMSPID=$(nj "$o.mspId")"
    "ORDERER_GENERAL_LOCALMSPDIR=$(nj "$o.mspDir")"
    "ORDERER_GENERAL_BOOTSTRAPMETHOD=none"
    "ORDERER_GENERAL_TLS_ENABLED=true"
    "ORDERER_GENERAL_TLS_PRIVATEKEY=$(nj "$o.tlsKeyPath")"
    "ORDERER_GENERAL_TLS_CERTIFICATE=$(nj "$o.tlsCertPath")"
    "ORDERER_GENERAL_TLS_ROOTCAS=[$tlsca]"
    "ORDERER_GENERAL_CLUSTER_LISTENADDRESS=$(nj "$o.host")"
    "ORDERER_GENERAL_CLUSTER_LISTENPORT=$(nj "$o.clusterPort")"
    "ORDERER_GENERAL_CLUSTER_SERVERCERTIFICATE=$(nj "$o.tlsCertPath")"
    "ORDERER_GENERAL_CLUSTER_SERVERPRIVATEKEY=$(nj "$o.tlsKeyPath")"
    "ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE=$(nj "$o.tlsCertPath")"
    "ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY=$(nj "$o.tlsKeyPath")"
    "ORDERER_GENERAL_CLUSTER_ROOTCAS=[$tlsca]"
    "ORDERER_FILELEDGER_LOCATION=$(nj "$o.dataDir")/ledger"
    "ORDERER_CONSENSUS_WALDIR=$(nj "$o.dataDir")/etcdraft/wal"
    "ORDERER_CONSENSUS_SNAPDIR=$(nj "$o.dataDir")/etcdraft/snapshot"
    "ORDERER_CHANNELPARTICIPATION_ENABLED=true"
    "ORDERER_ADMIN_LISTENADDRESS=$(nj "$o.adminEndpoint")"
    "ORDERER_ADMIN_TLS_ENABLED=true"
    "ORDERER_ADMIN_TLS_CERTIFICATE=$(nj "$o.tlsCertPath")"
    "ORDERER_ADMIN_TLS_PRIVATEKEY=$(nj "$o.tlsKeyPath")"
    "ORDERER_ADMIN_TLS_ROOTCAS=[$tlsca]"
    "ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED=true"
    "ORDERER_ADMIN_TLS_CLIENTROOTCAS=[$tlsca]"
    "ORDERER_OPERATIONS_LISTENADDRESS=$(nj "$o.host"):$(nj "$o.operationsPort")"
    "ORDERER_METRICS_PROVIDER=prometheus"
  )
}

# peer_env ORG PEER: environment of a peer node process
peer_env() {
  local p=".orgs[$1].peers[$2]" peers_in_org host port bootstrap
  host="$(nj "$p.host")"
  port="$(nj "$p.port")"
  peers_in_org="$(nj ".orgs[$1].peers | length")"
  # Gossip bootstrap: the org's other peers (itself when alone).
  bootstrap="$(jq -r --argjson o "$1" --argjson me "$2" \
    '[.orgs[$o].peers | to_entries[] | select(.key != $me) | .value.endpoint] | join(" ")' "$NETWORK_JSON")"
  [[ -n "$bootstrap" ]] || bootstrap="$host:$port"
  local leader_election=false org_leader=true
  if ((peers_in_org > 1)); then leader_election=true; org_leader=false; fi
  PEER_ENV=(
    "FABRIC_CFG_PATH=$FABRIC_CFG_PATH"
    "FABRIC_LOGGING_SPEC=${ANXIN_FABRIC_LOG_SPEC:-info}"
    "CORE_PEER_ID=$(nj "$p.name")"
    "CORE_PEER_NETWORKID=anxin"
    "CORE_PEER_LISTENADDRESS=$host:$port"
    "CORE_PEER_ADDRESS=$host:$port"
    "CORE_PEER_CHAINCODELISTENADDRESS=$host:$(nj "$p.chaincodePort")"
    "CORE_PEER_CHAINCODEADDRESS=$host:$(nj "$p.chaincodePort")"
    "CORE_PEER_GOSSIP_ENDPOINT=$host:$port"
    "CORE_PEER_GOSSIP_EXTERNALENDPOINT=$host:$port"
    "CORE_PEER_GOSSIP_BOOTSTRAP=$bootstrap"
    "CORE_PEER_GOSSIP_USELEADERELECTION=$leader_election"
    "CORE_PEER_GOSSIP_ORGLEADER=$org_leader"
    "CORE_PEER_LOCALMSPID=$(nj "$p.mspId")"
    "CORE_PEER_MSPCONFIGPATH=$(nj "$p.mspDir")"
    "CORE_PEER_TLS_ENABLED=true"
    "CORE_PEER_TLS_CERT_FILE=$(nj "$p.tlsCertPath")"
    "CORE_PEER_TLS_KEY_FILE=$(nj "$p.tlsKeyPath")"
    "CORE_PEER_TLS_ROOTCERT_FILE=$(nj "$p.tlsRootCertPath")"
    "CORE_PEER_FILESYSTEMPATH=$(nj "$p.dataDir")"
    "CORE_PEER_PROFILE_ENABLED=false"
    "CORE_PEER_GATEWAY_ENABLED=true"
    "CORE_LEDGER_STATE_STATEDATABASE=goleveldb"
    "CORE_LEDGER_SNAPSHOTS_ROOTDIR=$(nj "$p.dataDir")/snapshots"
    "CORE_OPERATIONS_LISTENADDRESS=$host:$(nj "$p.operationsPort")"
    "CORE_METRICS_PROVIDER=prometheus"
    # No Docker: an empty VM endpoint disables the Docker chaincode runtime entirely.
    "CORE_VM_ENDPOINT="
    # Chaincode as a service through the project's external builder.
    "CORE_CHAINCODE_EXTERNALBUILDERS=[{\"name\":\"$BUILDER_NAME\",\"path\":\"$BUILDER_DIR\"}]"
    "CORE_CHAINCODE_EXECUTETIMEOUT=${ANXIN_FABRIC_CC_EXECUTE_TIMEOUT:-30s}"
  )
}

# cli_env ORG [PEER] [USER]: environment for the `peer` CLI acting as USER (Admin) of org ORG on PEER
cli_env() {
  local o=".orgs[$1]" p=".orgs[$1].peers[${2:-0}]" user="${3:-admin}"
  CLI_ENV=(
    "FABRIC_CFG_PATH=$FABRIC_CFG_PATH"
    "FABRIC_LOGGING_SPEC=${ANXIN_FABRIC_CLI_LOG_SPEC:-warning}"
    "CORE_PEER_TLS_ENABLED=true"
    "CORE_PEER_LOCALMSPID=$(nj "$o.mspId")"
    "CORE_PEER_MSPCONFIGPATH=$(nj "$o.$user.mspDir")"
    "CORE_PEER_ADDRESS=$(nj "$p.endpoint")"
    "CORE_PEER_TLS_ROOTCERT_FILE=$(nj "$p.tlsRootCertPath")"
    "CORE_PEER_FILESYSTEMPATH=$NET_DIR/data/cli"
  )
}

# peer_cli ORG PEER USER ARGS...: run the peer CLI as that org's user against that peer
peer_cli() {
  local org="$1" peer="$2" user="$3"
  shift 3
  cli_env "$org" "$peer" "$user"
  env "${CLI_ENV[@]}" "$FABRIC_BIN/peer" "$@"
}

# orderer_tls_args: the --orderer/--tls flags of peer CLI commands that talk to the orderer
orderer_tls_args() {
  ORDERER_ARGS=(-o "$ORDERER_ENDPOINT" --ordererTLSHostnameOverride "$ORDERER_HOSTNAME" --tls --cafile "$ORDERER_TLS_CA")
}

# --- chaincode servers (chaincode as a service) ----------------------------------------

# find_chaincode_bin CC_DIR: fabric-chaincode-node from CC_DIR's node_modules or a parent's
# (npm workspaces hoist it to the repository root)
find_chaincode_bin() {
  local d
  d="$(cd "$1" && pwd)"
  while true; do
    if [[ -x "$d/node_modules/.bin/fabric-chaincode-node" ]]; then
      echo "$d/node_modules/.bin/fabric-chaincode-node"
      return 0
    fi
    [[ "$d" == "/" ]] && break
    d="$(dirname "$d")"
  done
  die "no node_modules/.bin/fabric-chaincode-node in $1 or its parents (npm install the chaincode package; it depends on fabric-shim)"
}

# start_cc_server DEPLOYMENT_JSON: start the chaincode server a deployment describes,
# unless it already runs; waits until it listens.
start_cc_server() {
  local f="$1" pidfile logfile cc_dir address pkgid bin
  pidfile="$(jq -er .pidFile "$f")"
  logfile="$(jq -er .logFile "$f")"
  cc_dir="$(jq -er .ccDir "$f")"
  address="$(jq -er .address "$f")"
  pkgid="$(jq -er .packageId "$f")"
  if pid_alive "$pidfile" "$pkgid"; then return 0; fi
  [[ -d "$cc_dir" ]] || die "chaincode folder $cc_dir (from $f) does not exist"
  bin="$(find_chaincode_bin "$cc_dir")"
  log "starting chaincode server $pkgid on $address (in $cc_dir)"
  # The chaincode server inherits the caller's environment (it is the operator's program);
  # it serves TLS and requires the peers' client certificate.
  start_bg "$pidfile" "$logfile" "$cc_dir" "$bin" server \
    --chaincode-address "$address" --chaincode-id "$pkgid" \
    --chaincode-tls-cert-file "$(nj .chaincodeTls.serverCert)" \
    --chaincode-tls-key-file "$(nj .chaincodeTls.serverKey)" \
    --chaincode-tls-client-cacert-file "$(nj .chaincodeTls.caCert)" \
    --module-path "$cc_dir"
  wait_tcp "${address%:*}" "${address##*:}" "$WAIT_SECONDS" "$pidfile" "$logfile"
}
