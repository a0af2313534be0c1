#!/usr/bin/env bash
# Start, stop and reset a local Hyperledger Fabric network for Anxin, from the Fabric
# binaries the operator installed (FABRIC_BIN). No Docker: every orderer, peer and
# chaincode server is a process on 127.0.0.1, with TLS everywhere.
set -euo pipefail

# shellcheck source=lib.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

usage() {
  cat <<EOF
usage: network.sh COMMAND [options]

commands:
  up       create the network on first use (crypto material, configtx.yaml, genesis
           block, network.json), then start the orderers, join them to the channel with
           osnadmin, start the peers and join them; on a network that was stopped, just
           start it again (same data, same ports) with its chaincode servers
  down     stop every process of the network (orderers, peers, chaincode servers); data stays
  reset    down, then delete the network folder
  status   show processes, endpoints, channel heights and deployed chaincode
           (exit status 1 when a process of the network is stopped)
  add-org  add one more peer organisation to the running network: crypto material, a
           channel config update signed by the existing organisations' admins, its
           peer(s) started and joined, the deployed chaincode installed and approved
  env      print the ANXIN_FABRIC_* settings for the Anxin gateway (source-able)

options:
  --dir DIR                 network folder (default \$ANXIN_FABRIC_DIR or ./.anxin/fabric)
  --orgs N                  peer organisations Org1MSP..OrgNMSP (default 1; only when creating)
  --orderers M              raft orderers (default 1; 3 tolerates one failure)
  --peers P                 peers per organisation (default 1; add-org: peers of the new org)
  --base-port P             first port to try (default 27050); busy ports are skipped
  --channel NAME            channel name (default anxin)
  --chaincode NAME          the name the Anxin chaincode is deployed under, as network.json and `env`
                            give it to the gateway and the CLI (default anxin; only when creating)
  --batch-timeout D         orderer BatchTimeout, Go duration (default 250ms)
  --max-message-count N     orderer BatchSize.MaxMessageCount (default 100)
  --absolute-max-bytes S    BatchSize.AbsoluteMaxBytes (default "10 MB")
  --preferred-max-bytes S   BatchSize.PreferredMaxBytes (default "2 MB")

environment:
  FABRIC_BIN                folder with peer, orderer, configtxgen, osnadmin (required)
  FABRIC_CFG_PATH           folder with Fabric's core.yaml and orderer.yaml (default \$FABRIC_BIN/../config)
  ANXIN_FABRIC_DIR, ANXIN_FABRIC_ORGS, ANXIN_FABRIC_ORDERERS, ANXIN_FABRIC_BASE_PORT,
  ANXIN_FABRIC_BATCH_TIMEOUT, ANXIN_FABRIC_MAX_MESSAGE_COUNT   defaults of the options above
  ANXIN_FABRIC_LOG_SPEC     FABRIC_LOGGING_SPEC of the nodes (default info)
  ANXIN_FABRIC_WAIT         seconds to wait for a node to come up (default 60)

example:
  FABRIC_BIN=/opt/fabric/bin network/fabric/scripts/network.sh up --dir /tmp/anxin-fabric --orgs 2
  network/fabric/scripts/deploy.sh --dir /tmp/anxin-fabric --name anxin --version 1 --sequence 1
  network/fabric/scripts/network.sh down --dir /tmp/anxin-fabric
EOF
}

CMD="${1:-}"
[[ -n "$CMD" ]] || { usage; exit 2; }
shift
case "$CMD" in -h | --help | help) usage; exit 0 ;; esac

DIR="$DEFAULT_DIR"
ORGS="${ANXIN_FABRIC_ORGS:-}"
ORDERERS="${ANXIN_FABRIC_ORDERERS:-}"
PEERS=""
BASE_PORT="${ANXIN_FABRIC_BASE_PORT:-}"
CHANNEL_OPT=""
CHAINCODE_OPT=""
BATCH_TIMEOUT="${ANXIN_FABRIC_BATCH_TIMEOUT:-}"
MAX_MESSAGE_COUNT="${ANXIN_FABRIC_MAX_MESSAGE_COUNT:-}"
ABSOLUTE_MAX_BYTES=""
PREFERRED_MAX_BYTES=""
while (($#)); do
  case "$1" in
    --dir) DIR="$2"; shift 2 ;;
    --orgs) ORGS="$2"; shift 2 ;;
    --orderers) ORDERERS="$2"; shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    --base-port) BASE_PORT="$2"; shift 2 ;;
    --channel) CHANNEL_OPT="$2"; shift 2 ;;
    --chaincode) CHAINCODE_OPT="$2"; shift 2 ;;
    --batch-timeout) BATCH_TIMEOUT="$2"; shift 2 ;;
    --max-message-count) MAX_MESSAGE_COUNT="$2"; shift 2 ;;
    --absolute-max-bytes) ABSOLUTE_MAX_BYTES="$2"; shift 2 ;;
    --preferred-max-bytes) PREFERRED_MAX_BYTES="$2"; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option $1" ;;
  esac
done

# --- steps ----------------------------------------------------------------------------

init_network() {
  local args=(init --dir "$DIR")
  [[ -n "$ORGS" ]] && args+=(--orgs "$ORGS")
  [[ -n "$ORDERERS" ]] && args+=(--orderers "$ORDERERS")
  [[ -n "$PEERS" ]] && args+=(--peers "$PEERS")
  [[ -n "$BASE_PORT" ]] && args+=(--base-port "$BASE_PORT")
  [[ -n "$CHANNEL_OPT" ]] && args+=(--channel "$CHANNEL_OPT")
  [[ -n "$CHAINCODE_OPT" ]] && args+=(--chaincode "$CHAINCODE_OPT")
  [[ -n "$BATCH_TIMEOUT" ]] && args+=(--batch-timeout "$BATCH_TIMEOUT")
  [[ -n "$MAX_MESSAGE_COUNT" ]] && args+=(--max-message-count "$MAX_MESSAGE_COUNT")
  [[ -n "$ABSOLUTE_MAX_BYTES" ]] && args+=(--absolute-max-bytes "$ABSOLUTE_MAX_BYTES")
  [[ -n "$PREFERRED_MAX_BYTES" ]] && args+=(--preferred-max-bytes "$PREFERRED_MAX_BYTES")
  log "creating network in $DIR (crypto material, configtx.yaml, network.json)"
  node "$CLI_JS" "${args[@]}" >/dev/null
  load_network "$DIR"
  log "genesis block of channel $CHANNEL (configtxgen, profile $(nj .profile))"
  FABRIC_CFG_PATH="$NET_DIR" "$FABRIC_BIN/configtxgen" -configPath "$NET_DIR" -profile "$(nj .profile)" \
    -channelID "$CHANNEL" -outputBlock "$(nj .genesisBlock)" >>"$NET_DIR/logs/configtxgen.log" 2>&1 ||
    { tail -n 20 "$NET_DIR/logs/configtxgen.log" >&2; die "configtxgen failed (log: $NET_DIR/logs/configtxgen.log)"; }
}

check_ports() {
  local busy
  busy="$(node "$CLI_JS" ports-busy --dir "$NET_DIR")"
  [[ -z "$busy" ]] || die "ports of this network are in use by something else:
$busy
(stop that, or reset the network to choose new ports)"
}

start_orderers() {
  local i name pidfile logfile
  base_env
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    name="$(nj ".ordererOrg.orderers[$i].name")"
    pidfile="$(nj ".ordererOrg.orderers[$i].pidFile")"
    logfile="$(nj ".ordererOrg.orderers[$i].logFile")"
    if pid_alive "$pidfile" orderer; then log "$name already running (pid $(cat "$pidfile"))"; continue; fi
    mkdir -p "$(nj ".ordererOrg.orderers[$i].dataDir")"
    orderer_env "$i"
    log "starting $name on $(nj ".ordererOrg.orderers[$i].endpoint") (admin $(nj ".ordererOrg.orderers[$i].adminEndpoint"))"
    start_bg "$pidfile" "$logfile" "$NET_DIR" "${BASE_ENV[@]}" "${ORDERER_ENV[@]}" "$FABRIC_BIN/orderer"
  done
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    wait_tcp 127.0.0.1 "$(nj ".ordererOrg.orderers[$i].adminPort")" "$WAIT_SECONDS" \
      "$(nj ".ordererOrg.orderers[$i].pidFile")" "$(nj ".ordererOrg.orderers[$i].logFile")"
  done
}

# osnadmin I ARGS...: `osnadmin channel ARGS` against orderer I as the orderer org's admin
# (mutual TLS). osnadmin exits 0 whatever the HTTP status; callers read "Status: NNN".
osnadmin() {
  local i="$1"
  shift
  "$FABRIC_BIN/osnadmin" channel "$@" -o "$(nj ".ordererOrg.orderers[$i].adminEndpoint")" \
    --ca-file "$ORDERER_TLS_CA" \
    --client-cert "$(nj '.ordererOrg.admin.tlsCertPath')" --client-key "$(nj '.ordererOrg.admin.tlsKeyPath')"
}

# orderer_channel_active I: orderer I serves the channel as an active member
orderer_channel_active() {
  local out
  out="$(osnadmin "$1" list --channelID "$CHANNEL" 2>&1)" || return 1
  grep -q '^Status: 200' <<<"$out" && grep -q '"status": *"active"' <<<"$out"
}

join_orderers() {
  local i name out
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    name="$(nj ".ordererOrg.orderers[$i].name")"
    out="$(osnadmin "$i" list --channelID "$CHANNEL" 2>&1)" || die "osnadmin on $name failed: $out"
    if grep -q '^Status: 200' <<<"$out"; then continue; fi
    log "$name joins channel $CHANNEL (osnadmin channel join)"
    out="$(osnadmin "$i" join --channelID "$CHANNEL" --config-block "$(nj .genesisBlock)" 2>&1)" || true
    grep -q '^Status: 201' <<<"$out" || die "osnadmin channel join on $name failed: $out"
  done
}

wait_orderers_ready() {
  local i
  # Wait until every orderer reports the channel active, then until each one delivers
  # blocks: that needs a raft leader, and so does ordering anything.
  mkdir -p "$NET_DIR/data/cli"
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    retry "$WAIT_SECONDS" orderer_channel_active "$i" >/dev/null ||
      die "orderer $i did not become active on channel $CHANNEL (log: $(nj ".ordererOrg.orderers[$i].logFile"))"
    retry "$WAIT_SECONDS" peer_cli 0 0 admin channel fetch newest "$NET_DIR/data/cli/probe.block" -c "$CHANNEL" \
      -o "$(nj ".ordererOrg.orderers[$i].endpoint")" --tls --cafile "$ORDERER_TLS_CA" >/dev/null ||
      die "orderer $i does not deliver blocks of $CHANNEL (no raft leader?) (log: $(nj ".ordererOrg.orderers[$i].logFile"))"
  done
  rm -f "$NET_DIR/data/cli/probe.block"
}

for_each_peer() { # CALLBACK: called with ORG PEER
  local o p n
  for ((o = 0; o < ORG_COUNT; o++)); do
    n="$(nj ".orgs[$o].peers | length")"
    for ((p = 0; p < n; p++)); do "$1" "$o" "$p"; done
  done
}

start_peer() {
  local o="$1" p="$2" q=".orgs[$1].peers[$2]" name pidfile logfile
  name="$(nj "$q.name")"
  pidfile="$(nj "$q.pidFile")"
  logfile="$(nj "$q.logFile")"
  if pid_alive "$pidfile" peer; then log "$name already running (pid $(cat "$pidfile"))"; return 0; fi
  mkdir -p "$(nj "$q.dataDir")"
  base_env
  peer_env "$o" "$p"
  log "starting $name on $(nj "$q.endpoint")"
  start_bg "$pidfile" "$logfile" "$NET_DIR" "${BASE_ENV[@]}" "${PEER_ENV[@]}" "$FABRIC_BIN/peer" node start
}

wait_peer() {
  local q=".orgs[$1].peers[$2]"
  wait_tcp 127.0.0.1 "$(nj "$q.port")" "$WAIT_SECONDS" "$(nj "$q.pidFile")" "$(nj "$q.logFile")"
}

join_peer() {
  local o="$1" p="$2" name out
  name="$(nj ".orgs[$o].peers[$p].name")"
  if peer_cli "$o" "$p" admin channel getinfo -c "$CHANNEL" >/dev/null 2>&1; then return 0; fi
  log "$name joins channel $CHANNEL"
  out="$(retry 20 peer_cli "$o" "$p" admin channel join -b "$(nj .genesisBlock)" 2>&1)" ||
    die "peer channel join on $name failed: $out"
  retry "$WAIT_SECONDS" peer_cli "$o" "$p" admin channel getinfo -c "$CHANNEL" >/dev/null ||
    die "$name did not join $CHANNEL"
}

restart_chaincode_servers() {
  local f
  shopt -s nullglob
  for f in "$NET_DIR"/chaincode/*/current.json; do
    start_cc_server "$f"
  done
  shopt -u nullglob
}

cmd_up() {
  require_tools
  require_fabric
  require_built
  mkdir -p "$DIR"
  local started=$SECONDS
  if [[ -f "$DIR/network.json" ]]; then
    load_network "$DIR"
    [[ -z "$ORGS$ORDERERS$PEERS$BATCH_TIMEOUT$MAX_MESSAGE_COUNT$CHANNEL_OPT" ]] ||
      log "note: $NET_DIR already holds a network; shape and batch options are ignored (reset to change them)"
    [[ -f "$(nj .genesisBlock)" ]] || die "$(nj .genesisBlock) is missing: the folder is half-made, run reset"
    local running
    running="$(status_lines | grep -c ' running ' || true)"
    ((running > 0)) || check_ports
    log "starting the existing network in $NET_DIR"
  else
    init_network
    check_ports
  fi
  start_orderers
  join_orderers
  # Peers start while raft elects a leader (after a restart that takes a few election ticks).
  for_each_peer start_peer
  wait_orderers_ready
  for_each_peer wait_peer
  for_each_peer join_peer
  restart_chaincode_servers
  log "network up in $((SECONDS - started))s: channel $CHANNEL, $ORDERER_COUNT orderer(s), $ORG_COUNT org(s); $NETWORK_JSON"
}

status_lines() { # name state pid endpoint
  local i o p n q
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    q=".ordererOrg.orderers[$i]"
    if pid_alive "$(nj "$q.pidFile")" orderer; then
      echo "$(nj "$q.name") running $(cat "$(nj "$q.pidFile")") $(nj "$q.endpoint") admin=$(nj "$q.adminEndpoint")"
    else echo "$(nj "$q.name") stopped - $(nj "$q.endpoint")"; fi
  done
  for ((o = 0; o < ORG_COUNT; o++)); do
    n="$(nj ".orgs[$o].peers | length")"
    for ((p = 0; p < n; p++)); do
      q=".orgs[$o].peers[$p]"
      if pid_alive "$(nj "$q.pidFile")" peer; then
        echo "$(nj "$q.name") running $(cat "$(nj "$q.pidFile")") $(nj "$q.endpoint")"
      else echo "$(nj "$q.name") stopped - $(nj "$q.endpoint")"; fi
    done
  done
  local f
  shopt -s nullglob
  for f in "$NET_DIR"/chaincode/*/current.json; do
    local pidfile label
    pidfile="$(jq -r .pidFile "$f")"
    label="chaincode:$(jq -r '.name + "@" + .version + "/seq" + (.sequence|tostring)' "$f")"
    if pid_alive "$pidfile" "$(jq -r .packageId "$f")"; then
      echo "$label running $(cat "$pidfile") $(jq -r .address "$f")"
    else echo "$label stopped - $(jq -r .address "$f")"; fi
  done
  shopt -u nullglob
}

cmd_status() {
  require_tools
  [[ -f "$DIR/network.json" ]] || { echo "no network in $DIR"; exit 3; }
  load_network "$DIR"
  echo "network $NET_DIR  channel $CHANNEL"
  local lines
  lines="$(status_lines)"
  printf '%s\n' "$lines" | column -t 2>/dev/null || printf '%s\n' "$lines"
  if [[ -n "${FABRIC_BIN:-}" ]] && grep -q '^peer0.org1.* running ' <<<"$lines"; then
    require_fabric
    local o info
    for ((o = 0; o < ORG_COUNT; o++)); do
      info="$(peer_cli "$o" 0 admin channel getinfo -c "$CHANNEL" 2>/dev/null | sed -n 's/^Blockchain info: //p')" || true
      echo "$(nj ".orgs[$o].peers[0].name") $CHANNEL: ${info:-unavailable}"
    done
  fi
  grep -q ' stopped ' <<<"$lines" && exit 1 || exit 0
}

cmd_down() {
  require_tools
  if [[ ! -f "$DIR/network.json" ]]; then log "no network in $DIR"; return 0; fi
  load_network "$DIR"
  local f i o p n
  # Everything at once: each node takes 1-2 s to shut down gracefully.
  shopt -s nullglob
  for f in "$NET_DIR"/chaincode/*/*/server.pid; do
    stop_pid "$f" fabric-chaincode-node &
  done
  shopt -u nullglob
  for ((o = 0; o < ORG_COUNT; o++)); do
    n="$(nj ".orgs[$o].peers | length")"
    for ((p = 0; p < n; p++)); do
      stop_pid "$(nj ".orgs[$o].peers[$p].pidFile")" peer &
    done
  done
  for ((i = 0; i < ORDERER_COUNT; i++)); do
    stop_pid "$(nj ".ordererOrg.orderers[$i].pidFile")" orderer &
  done
  wait
  log "network in $NET_DIR stopped (data kept; 'reset' deletes it)"
}

cmd_reset() {
  cmd_down
  if [[ -d "$DIR" ]]; then
    local abs
    abs="$(cd "$DIR" && pwd)"
    [[ "$abs" != "/" && "$abs" != "$HOME" && "$abs" != "$REPO_DIR" ]] || die "refusing to delete $abs"
    # Only delete a folder that looks like one of ours.
    if [[ -n "$(ls -A "$abs")" && ! -f "$abs/network.json" && ! -d "$abs/crypto" ]]; then
      die "$abs does not look like an Anxin Fabric network folder; not deleting it"
    fi
    rm -rf "$abs"
    log "deleted $abs"
  fi
}

cmd_add_org() {
  require_tools
  require_fabric
  require_built
  load_network "$DIR"
  pid_alive "$(nj '.orgs[0].peers[0].pidFile')" peer && pid_alive "$(nj '.ordererOrg.orderers[0].pidFile')" orderer ||
    die "the network in $NET_DIR is not running (network.sh up --dir $DIR)"
  local started=$SECONDS args=(add-org --dir "$NET_DIR") pending msp o
  [[ -n "$PEERS" ]] && args+=(--peers "$PEERS")
  [[ -n "$BASE_PORT" ]] && args+=(--base-port "$BASE_PORT")
  pending="$(node "$CLI_JS" "${args[@]}")"
  msp="$(jq -r .mspId "$pending/org.json")"
  log "adding $msp to channel $CHANNEL (material in $pending)"

  # The organisation's definition as the channel config holds it.
  FABRIC_CFG_PATH="$pending" "$FABRIC_BIN/configtxgen" -configPath "$pending" -printOrg "$msp" >"$pending/org-definition.json" \
    2>>"$pending/configtxgen.log" || die "configtxgen -printOrg $msp failed (log: $pending/configtxgen.log)"

  # Current config -> config with the new org -> config update envelope.
  orderer_tls_args
  peer_cli 0 0 admin channel fetch config "$pending/config_block.pb" -c "$CHANNEL" "${ORDERER_ARGS[@]}" 2>/dev/null ||
    die "could not fetch the config block of $CHANNEL"
  local tx="$FABRIC_BIN/configtxlator"
  "$tx" proto_decode --input "$pending/config_block.pb" --type common.Block |
    jq '.data.data[0].payload.data.config' >"$pending/config.json"
  jq --arg m "$msp" --slurpfile orgdef "$pending/org-definition.json" \
    '.channel_group.groups.Application.groups[$m] = $orgdef[0]' "$pending/config.json" >"$pending/modified_config.json"
  "$tx" proto_encode --input "$pending/config.json" --type common.Config --output "$pending/config.pb"
  "$tx" proto_encode --input "$pending/modified_config.json" --type common.Config --output "$pending/modified_config.pb"
  "$tx" compute_update --channel_id "$CHANNEL" --original "$pending/config.pb" --updated "$pending/modified_config.pb" \
    --output "$pending/update.pb"
  "$tx" proto_decode --input "$pending/update.pb" --type common.ConfigUpdate >"$pending/update.json"
  jq -n --arg ch "$CHANNEL" --slurpfile u "$pending/update.json" \
    '{payload: {header: {channel_header: {channel_id: $ch, type: 2}}, data: {config_update: $u[0]}}}' \
    >"$pending/update_envelope.json"
  "$tx" proto_encode --input "$pending/update_envelope.json" --type common.Envelope --output "$pending/update_envelope.pb"

  # /Channel/Application/Admins is MAJORITY Admins: every existing org's admin signs
  # (the last one's signature comes with the update itself).
  for ((o = 0; o < ORG_COUNT - 1; o++)); do
    peer_cli "$o" 0 admin channel signconfigtx -f "$pending/update_envelope.pb" 2>/dev/null ||
      die "$(nj ".orgs[$o].mspId") admin could not sign the config update"
  done
  local out
  out="$(peer_cli $((ORG_COUNT - 1)) 0 admin channel update -f "$pending/update_envelope.pb" -c "$CHANNEL" "${ORDERER_ARGS[@]}" 2>&1)" ||
    die "channel update failed: $out"
  log "$msp is a member of $CHANNEL"

  # network.json learns the organisation; start and join its peers.
  jq --slurpfile org "$pending/org.json" '.orgs += $org' "$NETWORK_JSON" >"$NETWORK_JSON.tmp" && mv "$NETWORK_JSON.tmp" "$NETWORK_JSON"
  load_network "$NET_DIR"
  local new=$((ORG_COUNT - 1)) n p
  n="$(nj ".orgs[$new].peers | length")"
  for ((p = 0; p < n; p++)); do start_peer "$new" "$p"; done
  for ((p = 0; p < n; p++)); do wait_peer "$new" "$p"; done
  for ((p = 0; p < n; p++)); do join_peer "$new" "$p"; done

  # Deployed chaincode: install the current package, approve the committed definition.
  local f
  shopt -s nullglob
  for f in "$NET_DIR"/chaincode/*/current.json; do
    local name pkg pkgid def=()
    name="$(jq -r .name "$f")"
    pkg="$(jq -r .package "$f")"
    pkgid="$(jq -r .packageId "$f")"
    for ((p = 0; p < n; p++)); do
      log "installing $name on $(nj ".orgs[$new].peers[$p].name")"
      out="$(peer_cli "$new" "$p" admin lifecycle chaincode install "$pkg" 2>&1)" ||
        grep -q "already successfully installed" <<<"$out" || die "install of $name failed: $out"
    done
    def=(-C "$CHANNEL" -n "$name" -v "$(jq -r .version "$f")" --sequence "$(jq -r .sequence "$f")" --package-id "$pkgid")
    [[ "$(jq -r .initRequired "$f")" == "true" ]] && def+=(--init-required)
    [[ "$(jq -r '.signaturePolicy // ""' "$f")" != "" ]] && def+=(--signature-policy "$(jq -r .signaturePolicy "$f")")
    log "approving $name sequence $(jq -r .sequence "$f") for $msp"
    out="$(peer_cli "$new" 0 admin lifecycle chaincode approveformyorg "${ORDERER_ARGS[@]}" "${def[@]}" --waitForEvent 2>&1)" ||
      die "approveformyorg of $name for $msp failed: $out"
  done
  shopt -u nullglob
  mv "$pending" "$NET_DIR/added-$msp-$(date +%Y%m%d%H%M%S)"
  log "$msp added in $((SECONDS - started))s: $(nj ".orgs[$new].peers[0].endpoint")"
}

cmd_env() {
  require_tools
  load_network "$DIR"
  jq -r '.env | to_entries[] | "export \(.key)=\(.value | @sh)"' "$NETWORK_JSON"
}

case "$CMD" in
  up) cmd_up ;;
  down) cmd_down ;;
  reset) cmd_reset ;;
  status) cmd_status ;;
  env) cmd_env ;;
  add-org) cmd_add_org ;;
  *) usage >&2; die "unknown command $CMD" ;;
esac
