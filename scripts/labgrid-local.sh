#!/usr/bin/env bash
# A labgrid board farm on this machine, for trying the HIL runner's labgrid: targets and for make test:
# a real labgrid coordinator and exporter on 127.0.0.1 (labgrid from make setup's virtual environment)
# publishing two places, qemu-rpi3-a and qemu-rpi3-b (tags board=rpi3 emulated=qemu), each an emulated
# Raspberry Pi 3 behind a TEST DOUBLE of a power switch (tests/hil/labgrid/local/qemu-power-double.py):
# its outlet on boots the guest, off kills it. The guests start off; a runner switches them on.
#   labgrid-local.sh start    start everything in the background (needs out/initramfs.cpio: make rootfs)
#   labgrid-local.sh stop     stop everything (the guests too)
#   labgrid-local.sh status   print what runs
# State, logs and the settings to use it live in out/labgrid-local/: `. out/labgrid-local/env` sets
# LG_COORDINATOR (for labgrid-client and the runner) and RPI_WDT_HIL_SSH_CONFIG (the guests' SSH key and
# throw-away host keys). LABGRID_LOCAL_PORT picks the coordinator's port (default: a free one).
source "$(dirname "$0")/lib.sh"

LAB=$PROJECT_ROOT/out/labgrid-local
BIN=$LABGRID_VENV/bin
EXPORTER_NAME=local-qemu
PLACES=(qemu-rpi3-a qemu-rpi3-b)
INITRAMFS=$PROJECT_ROOT/out/initramfs.cpio

running() { # NAME
	[ -e "$LAB/$1.pid" ] && kill -0 "$(cat "$LAB/$1.pid")" 2>/dev/null
}

# Starts a program in its own session (so that stopping it stops its children), logging to NAME.log.
spawn() { # NAME DIR COMMAND...
	local name=$1 dir=$2
	shift 2
	(cd "$dir" && exec setsid "$@" >"$LAB/$name.log" 2>&1 </dev/null) &
	echo $! >"$LAB/$name.pid"
}

# Waits up to 30 s for a line in NAME.log, else stops and shows the log.
await_log() { # NAME PATTERN
	await_line "$LAB/$1.log" "$2" 30 "$(cat "$LAB/$1.pid")" && return
	tail -n 20 "$LAB/$1.log" >&2
	stop
	die "the local lab's $1 did not start (log: $LAB/$1.log)"
}

free_ports() { # N
	python3 -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))' "$1"
}

start() {
	[ -e "$LABGRID_VENV/.installed" ] || die "labgrid is not installed in $LABGRID_VENV: run 'make setup'"
	[ -e "$INITRAMFS" ] || die "$INITRAMFS missing: run 'make rootfs'"
	if running coordinator || running exporter || running power-double; then
		die "the local lab already runs ($0 status); stop it with '$0 stop'"
	fi
	rm -rf "$LAB"
	mkdir -p "$LAB/coordinator"
	local ports coordinator_port power_port
	read -r -a ports < <(free_ports 6)
	coordinator_port=${LABGRID_LOCAL_PORT:-${ports[0]}}
	power_port=${ports[1]}
	export LG_COORDINATOR=127.0.0.1:$coordinator_port
	export LAB_POWER_PORT=$power_port LAB_SSH_PORT_0=${ports[2]} LAB_SSH_PORT_1=${ports[3]}
	export LAB_SERIAL_PORT_0=${ports[4]} LAB_SERIAL_PORT_1=${ports[5]}

	# The coordinator keeps its places in its working directory.
	spawn coordinator "$LAB/coordinator" "$BIN/labgrid-coordinator" -l "$LG_COORDINATOR"
	await_log coordinator "listening on"
	spawn power-double "$LAB" "$BIN/python3" "$PROJECT_ROOT/tests/hil/labgrid/local/qemu-power-double.py" \
		--listen "$power_port" --state "$LAB/guests" --initramfs "$INITRAMFS" \
		--outlet "0:$LAB_SSH_PORT_0:$LAB_SERIAL_PORT_0" --outlet "1:$LAB_SSH_PORT_1:$LAB_SERIAL_PORT_1"
	await_log power-double "listening on"
	spawn exporter "$LAB" "$BIN/labgrid-exporter" -c "$LG_COORDINATOR" --name "$EXPORTER_NAME" \
		--hostname 127.0.0.1 "$PROJECT_ROOT/tests/hil/labgrid/local/exporter.yaml"
	local i place
	for i in $(seq 100); do
		[ "$("$BIN/labgrid-client" resources 2>/dev/null | grep -c "^$EXPORTER_NAME/qemu-rpi3-./NetworkService")" = 2 ] && break
		running exporter || { tail -n 20 "$LAB/exporter.log" >&2; stop; die "the local lab's exporter exited (log: $LAB/exporter.log)"; }
		sleep 0.2
	done
	[ "$i" -lt 100 ] || { stop; die "the exporter's resources did not appear (log: $LAB/exporter.log)"; }
	for place in "${PLACES[@]}"; do
		"$BIN/labgrid-client" -p "$place" create
		"$BIN/labgrid-client" -p "$place" add-match "$EXPORTER_NAME/$place/*"
		"$BIN/labgrid-client" -p "$place" set-tags board=rpi3 emulated=qemu
	done

	cat >"$LAB/ssh_config" <<-CONFIG
	# The local lab's guests: the key make setup made (their authorized key), new host keys every boot.
	Host 127.0.0.1
	  User root
	  IdentityFile $RPI_WDT_CACHE/hil/id_ed25519
	  IdentitiesOnly yes
	  StrictHostKeyChecking no
	  UserKnownHostsFile /dev/null
	  LogLevel ERROR
	CONFIG
	cat >"$LAB/env" <<-ENV
	export LG_COORDINATOR=$LG_COORDINATOR
	export RPI_WDT_HIL_SSH_CONFIG=$LAB/ssh_config
	export LABGRID_LOCAL_POWER=http://127.0.0.1:$power_port
	ENV
	log "local lab up: coordinator $LG_COORDINATOR, places ${PLACES[*]} (exporter $EXPORTER_NAME), power test double on 127.0.0.1:$power_port"
	log "use it:  . $LAB/env && make hil TARGET=labgrid:qemu-rpi3-a   (or $BIN/labgrid-client places)"
	log "stop it: $0 stop"
}

stop() {
	local name pid i
	# The exporter first (it would reconnect), the guests with their power double, the coordinator last.
	for name in exporter power-double coordinator; do
		running "$name" || continue
		pid=$(cat "$LAB/$name.pid")
		kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
		for i in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$pid" 2>/dev/null || true
		rm -f "$LAB/$name.pid"
	done
	return 0
}

status() {
	local name
	for name in coordinator power-double exporter; do
		if running "$name"; then echo "$name: running (pid $(cat "$LAB/$name.pid"))"; else echo "$name: stopped"; fi
	done
	[ -e "$LAB/env" ] && cat "$LAB/env"
	return 0
}

case "${1:-}" in
start) start ;;
stop) stop && log "local lab stopped" ;;
status) status ;;
*) die "usage: $0 start|stop|status" ;;
esac
