#!/usr/bin/env bash
# What `make demo` and `make test` need from the system, checked before anything else runs.
#
#   scripts/system-deps.sh [--check] demo|test [--also PACKAGE:PATH ...]
#
# demo: python3 (3.11 or newer) able to make a virtual environment (Debian: python3-venv). The
#       demo's banks are embedded SFTP servers (paramiko), its ledger SQLite, its reports JSON
#       and text: nothing more.
# test: the same, and OpenSSH's sshd (openssh-server: the SFTP tests run a real one), the CJK font
#       embedded in PDF reports (fonts-wqy-microhei, or YKT_CJK_FONT naming a TrueType file), and
#       PostgreSQL on 127.0.0.1:5432 with trust auth and a database `test` (unless YKT_TEST_PG_URL
#       points at another server).
#
# As root, whatever is missing is installed (apt-get) or started (a PostgreSQL cluster that is
# installed but stopped). Otherwise, or with --check, nothing is changed: the script stops at once,
# naming what is missing and the one command that sets it up. --also PACKAGE:PATH adds a
# dependency (the Debian package that provides PATH), for checking this script itself.
set -euo pipefail
cd "$(dirname "$0")/.."

check_only=0
target=""
also=()
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check_only=1 ;;
    --also) also+=("$2"); shift ;;
    demo|test) target="$1" ;;
    *) echo "usage: $0 [--check] demo|test [--also PACKAGE:PATH ...]" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$target" ] || { echo "usage: $0 [--check] demo|test [--also PACKAGE:PATH ...]" >&2; exit 2; }

say() { echo "system-deps: $*" >&2; }

FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
PG_HOST=127.0.0.1
PG_PORT=5432

packages=()  # Debian packages to install
actions=()   # other steps, as commands
problems=()  # what is missing, one line each
fatal=()     # what this script cannot fix

missing_package() {  # PACKAGE WHAT
  problems+=("$2: install the Debian package $1")
  case " ${packages[*]-} " in *" $1 "*) ;; *) packages+=("$1") ;; esac
}

pg_cluster() {  # the newest installed PostgreSQL cluster's version, or nothing
  ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1
}

pg_answers() {  # the tests' connection: postgres@127.0.0.1:5432/test without a password
  PGCONNECT_TIMEOUT=5 psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d test -w -tAc 'select 1' >/dev/null 2>&1
}

check() {
  packages=(); actions=(); problems=(); fatal=()

  # Python 3.11+ with venv and ensurepip (Debian splits them into python3-venv)
  if ! command -v python3 >/dev/null 2>&1; then
    missing_package python3 "python3 (not found)"
    missing_package python3-venv "python3's venv module"
  elif ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    fatal+=("python3 is $(python3 -V 2>&1); the project needs Python 3.11 or newer as python3")
  elif [ ! -e .venv/bin/python ] && [ ! -L .venv/bin/python ]; then  # only until .venv is made
    local tmp
    tmp=$(mktemp -d)
    if ! python3 -m venv "$tmp/v" >/dev/null 2>&1; then
      missing_package python3-venv "python3 cannot make a virtual environment (python3 -m venv: no ensurepip)"
    fi
    rm -rf "$tmp"
  fi

  if [ "$target" = test ]; then
    if [ -n "${YKT_TEST_SSHD:-}" ]; then
      [ -x "$YKT_TEST_SSHD" ] || fatal+=("YKT_TEST_SSHD=$YKT_TEST_SSHD is not an executable sshd")
    elif [ ! -x /usr/sbin/sshd ]; then
      missing_package openssh-server "OpenSSH's sshd (/usr/sbin/sshd), for the SFTP tests"
    fi

    if [ -n "${YKT_CJK_FONT:-}" ]; then
      [ -f "$YKT_CJK_FONT" ] || fatal+=("YKT_CJK_FONT=$YKT_CJK_FONT is not a file")
    elif [ ! -f "$FONT" ]; then
      missing_package fonts-wqy-microhei "the CJK font of PDF reports ($FONT)"
    fi

    if [ -z "${YKT_TEST_PG_URL:-}" ]; then
      local version
      version=$(pg_cluster)
      if [ -z "$version" ] || ! command -v pg_isready >/dev/null 2>&1; then
        missing_package postgresql "PostgreSQL on $PG_HOST:$PG_PORT (not installed)"
        actions+=("after installing: trust auth for $PG_HOST and a database test")
      elif ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null; then
        problems+=("PostgreSQL $version on $PG_HOST:$PG_PORT: installed but not running")
        actions+=("pg_ctlcluster --skip-systemctl-redirect $version main start")
      elif ! pg_answers; then
        if [ "$(runuser -u postgres -- psql -tAc "select 1 from pg_database where datname = 'test'" 2>/dev/null)" != 1 ] \
            && runuser -u postgres -- psql -tAc 'select 1' >/dev/null 2>&1; then
          problems+=("PostgreSQL on $PG_HOST:$PG_PORT: no database test")
          actions+=("runuser -u postgres -- createdb test")
        else
          fatal+=("PostgreSQL on $PG_HOST:$PG_PORT does not let postgres into database test without a password:" \
                  "the tests need trust auth for $PG_HOST (pg_hba.conf), or YKT_TEST_PG_URL naming a server they may use")
        fi
      fi
    fi
  fi

  local spec
  for spec in "${also[@]+"${also[@]}"}"; do
    [ -e "${spec#*:}" ] || missing_package "${spec%%:*}" "${spec#*:}"
  done
}

install() {
  if [ ${#packages[@]} -gt 0 ]; then
    local fresh_pg=0
    case " ${packages[*]} " in *" postgresql "*) fresh_pg=1 ;; esac
    say "installing ${packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${packages[@]}" >/dev/null
    if [ "$fresh_pg" = 1 ]; then  # a cluster this script just installed: set it up as the tests expect
      local version hba
      version=$(pg_cluster)
      hba=/etc/postgresql/$version/main/pg_hba.conf
      sed -i "1i host all all $PG_HOST/32 trust  # ykt-adapter tests (scripts/system-deps.sh)" "$hba"
      pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null \
        && pg_ctlcluster --skip-systemctl-redirect "$version" main reload \
        || pg_ctlcluster --skip-systemctl-redirect "$version" main start
      runuser -u postgres -- createdb test
    fi
  fi
  local action
  for action in "${actions[@]+"${actions[@]}"}"; do
    case "$action" in after*) continue ;; esac
    say "running: $action"
    $action
  done
  if [ "$target" = test ] && [ -z "${YKT_TEST_PG_URL:-}" ]; then  # a started server takes a moment
    local i
    for i in $(seq 1 30); do pg_isready -q -h "$PG_HOST" -p "$PG_PORT" 2>/dev/null && break; sleep 1; done
  fi
}

report() {  # what is missing, and the one command that sets it up
  say "\`make $target\` needs what this machine lacks:"
  local line
  for line in "${problems[@]+"${problems[@]}"}" "${fatal[@]+"${fatal[@]}"}"; do say "  $line"; done
}

check
if [ ${#fatal[@]} -gt 0 ]; then
  report
  say "this script cannot set that up; fix it and run \`make $target\` again"
  exit 1
fi
if [ ${#problems[@]} -eq 0 ]; then
  exit 0
fi
if [ "$check_only" = 1 ] || [ "$(id -u)" != 0 ]; then
  report
  steps=()
  [ ${#packages[@]} -eq 0 ] || steps+=("apt-get install -y ${packages[*]}")
  steps+=("${actions[@]+"${actions[@]}"}")
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo "
  say "run this, then \`make $target\` again:"
  echo "    ${sudo}bash scripts/system-deps.sh $target" >&2
  say "(as root it does: $(IFS=';'; echo "${steps[*]}" | sed 's/;/; /g'))"
  exit 1
fi
install
check
if [ ${#problems[@]} -gt 0 ] || [ ${#fatal[@]} -gt 0 ]; then
  report
  say "still missing after installing; see the messages above"
  exit 1
fi
say "set up what \`make $target\` needs"
