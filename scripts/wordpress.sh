#!/usr/bin/env bash
# A real WordPress on 127.0.0.1 for the tests and for developers.
#
#   scripts/wordpress.sh start   install what is missing, start the site, write .wordpress/env
#   scripts/wordpress.sh stop    stop the PHP server (MariaDB keeps running)
#   scripts/wordpress.sh reset   empty posts, terms and media (users and passwords stay)
#   scripts/wordpress.sh env     print the env file (eval "$(scripts/wordpress.sh env)")
#   scripts/wordpress.sh bot-user  make the user depeche-bot (role depeche_bot of the
#                                mu-plugin) with a fresh application password; print it
#   scripts/wordpress.sh status  say whether the site answers
#
# Every command is idempotent. Debian 12 packages; WordPress code in /usr/share/wordpress,
# its content in /var/lib/wordpress/wp-content, served by `php -S` through router.php.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=$ROOT/scripts/wordpress
STATE=${DEPECHE_WP_STATE:-$ROOT/.wordpress}
PORT=${WP_PORT:-8089}
HOST=127.0.0.1
URL=http://$HOST:$PORT
WP_DIR=/usr/share/wordpress
CONTENT=/var/lib/wordpress/wp-content
MU_DIR=$CONTENT/mu-plugins
CONFIG=/etc/wordpress/config-$HOST.php
ENV_FILE=$STATE/env
PID_FILE=$STATE/server.pgid
# Throwaway credentials of a local test database, never of a real site.
DB_NAME=depeche_wp
DB_USER=depeche_wp
DB_PASS=depeche_wp
DB_PREFIX=wp_
PACKAGES=(wordpress php-cli php-mysql php-xml php-mbstring php-curl curl)

log() { echo "wordpress.sh: $*" >&2; }
die() { log "$*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for_port() {  # host port seconds
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        port_open "$1" "$2" && return 0
        sleep 0.1
    done
    return 1
}

missing_packages() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
            || echo "$pkg"
    done
}

apt_install() {
    local missing
    missing=$(missing_packages "$@")
    [ -z "$missing" ] && return 0
    log "installing: $missing"
    # Keep apt from starting apache2 or mariadb as services: we run what we need ourselves.
    local policy=/usr/sbin/policy-rc.d
    if [ ! -e $policy ]; then
        printf '#!/bin/sh\nexit 101\n' | as_root tee $policy >/dev/null
        as_root chmod +x $policy
        trap 'as_root rm -f /usr/sbin/policy-rc.d' EXIT  # removed even if apt fails
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    # shellcheck disable=SC2086
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Run SQL as a database administrator: root over TCP without a password (the machine's
# server), else root over the Unix socket (a mariadb-server installed by this script).
sql_admin() {
    if mysql -h "$HOST" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
        mysql -h "$HOST" -uroot "$@"
    else
        as_root mysql -uroot "$@"
    fi
}

ensure_mariadb() {
    port_open "$HOST" 3306 && return 0
    apt_install mariadb-server mariadb-client
    log "starting mariadbd"
    as_root mkdir -p /run/mysqld
    as_root chown mysql:mysql /run/mysqld
    if [ ! -d /var/lib/mysql/mysql ]; then
        as_root mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    fi
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd \
        -- --user=mysql --bind-address="$HOST" --port=3306
    wait_for_port "$HOST" 3306 30 || die "MariaDB did not answer on $HOST:3306"
}

ensure_database() {
    sql_admin <<SQL
CREATE DATABASE IF NOT EXISTS $DB_NAME CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASS';
CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'localhost';
GRANT ALL PRIVILEGES ON $DB_NAME.* TO '$DB_USER'@'127.0.0.1';
SQL
}

# Debian's wp-config.php loads /etc/wordpress/config-<Host header without port>.php.
write_config() {
    local wanted
    wanted=$(sed -e "s|@URL@|$URL|g" -e "s|@DB_NAME@|$DB_NAME|g" -e "s|@DB_USER@|$DB_USER|g" \
        -e "s|@DB_PASS@|$DB_PASS|g" -e "s|@DB_HOST@|$HOST|g" -e "s|@PREFIX@|$DB_PREFIX|g" \
        "$HERE/config.php.in")
    if [ -f "$CONFIG" ] && [ "$(cat "$CONFIG")" = "$wanted" ]; then return 0; fi
    printf '%s\n' "$wanted" | as_root tee "$CONFIG" >/dev/null
}

server_up() {
    curl -s -o /dev/null --max-time 5 "$URL/wp-json/" 2>/dev/null
}

start_server() {
    server_up && return 0
    port_open "$HOST" "$PORT" && die "port $PORT is taken by something else (set WP_PORT)"
    mkdir -p "$STATE"
    # setsid: the server and its PHP_CLI_SERVER_WORKERS get their own process group, which
    # `stop` kills as a whole (the workers outlive their parent otherwise).
    # Workers: a slow request (a big upload, a test that sleeps) must not block the others.
    # The server closes every descriptor it inherited beyond 0-2: started under a lock
    # (`flock file scripts/wordpress.sh start`), it would otherwise hold that lock for good.
    PHP_CLI_SERVER_WORKERS=4 setsid bash -c 'echo $$ >"$0"
        for fd in /proc/$$/fd/*; do fd=${fd##*/}; [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
        exec php -S "$1" -t "$2" "$3"' \
        "$PID_FILE" "$HOST:$PORT" "$WP_DIR" "$HERE/router.php" \
        >>"$STATE/server.log" 2>&1 </dev/null &
    for _ in $(seq 1 100); do
        server_up && return 0
        sleep 0.1
    done
    die "the PHP server did not answer on $URL (see $STATE/server.log)"
}

credentials_work() {
    [ -f "$ENV_FILE" ] || return 1
    local user pass
    user=$(sed -n "s/^export DEPECHE_WP_USER='\(.*\)'$/\1/p" "$ENV_FILE")
    pass=$(sed -n "s/^export DEPECHE_WP_APP_PASSWORD='\(.*\)'$/\1/p" "$ENV_FILE")
    [ -n "$user" ] && [ -n "$pass" ] || return 1
    grep -q "^export DEPECHE_WP_URL='$URL'$" "$ENV_FILE" || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' -u "$user:$pass" \
        "$URL/wp-json/wp/v2/users/me")" = 200 ]
}

install_site() {
    mkdir -p "$STATE"
    local tmp=$STATE/env.tmp
    WP_URL=$URL WP_DIR=$WP_DIR php "$HERE/install.php" >"$tmp"
    {
        echo "# Written by scripts/wordpress.sh start: a throwaway local WordPress."
        echo "export DEPECHE_WP_URL='$URL'"
        cat "$tmp"
        echo "export WP_MU_PLUGINS='$MU_DIR'"
        echo "export WP_CONTENT_DIR='$CONTENT'"
        echo "export WP_DB_NAME='$DB_NAME'"
        echo "export WP_DB_USER='$DB_USER'"
        echo "export WP_DB_PASSWORD='$DB_PASS'"
        echo "export WP_DB_PREFIX='$DB_PREFIX'"
    } >"$ENV_FILE"
    rm -f "$tmp"
    chmod 600 "$ENV_FILE"
}

# The companion mu-plugin is installed by default; tests remove it to check the failure.
install_mu_plugin() {
    as_root mkdir -p "$MU_DIR"
    as_root cp "$ROOT/bot/publish/wordpress/depeche-mu-plugin.php" "$MU_DIR/depeche.php"
}

cmd_start() {
    apt_install "${PACKAGES[@]}"
    ensure_mariadb
    ensure_database
    write_config
    as_root mkdir -p "$CONTENT/uploads"
    install_mu_plugin
    start_server
    credentials_work || install_site
    log "WordPress answers on $URL (credentials in $ENV_FILE)"
}

stop_group() {  # pgid: TERM, a few seconds' grace, then KILL
    kill -TERM -- "-$1" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 -- "-$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$1" 2>/dev/null || true
}

cmd_stop() {
    if [ -f "$PID_FILE" ]; then
        stop_group "$(cat "$PID_FILE")"
        rm -f "$PID_FILE"
    fi
    # The same server started by this script from another checkout (a CI clone beside a
    # developer's tree): its process-group file is there, not here.
    local pid
    for pid in $(pgrep -f "^php -S $HOST:$PORT -t $WP_DIR " || true); do
        stop_group "$(ps -o pgid= -p "$pid" | tr -d ' ')"
    done
    port_open "$HOST" "$PORT" && die "something still answers on $URL (not started by this script?)"
    log "stopped"
}

cmd_reset() {
    local p=$DB_PREFIX
    mysql -h "$HOST" -u"$DB_USER" -p"$DB_PASS" "$DB_NAME" <<SQL
TRUNCATE ${p}posts; TRUNCATE ${p}postmeta; TRUNCATE ${p}comments; TRUNCATE ${p}commentmeta;
TRUNCATE ${p}terms; TRUNCATE ${p}termmeta; TRUNCATE ${p}term_taxonomy;
TRUNCATE ${p}term_relationships;
INSERT INTO ${p}terms (term_id, name, slug, term_group) VALUES (1, 'Uncategorized', 'uncategorized', 0);
INSERT INTO ${p}term_taxonomy (term_taxonomy_id, term_id, taxonomy, description, parent, count)
    VALUES (1, 1, 'category', '', 0, 0);
DELETE FROM ${p}options WHERE option_name LIKE '%_children' OR option_name LIKE '_transient_%';
-- The privacy page was a post that is gone: left set, the next post with its id would be
-- taken for the privacy page, which an editor may not edit.
UPDATE ${p}options SET option_value = '0'
    WHERE option_name IN ('wp_page_for_privacy_policy', 'page_for_posts', 'page_on_front');
SQL
    as_root find "$CONTENT/uploads" -mindepth 1 -delete
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    reset) cmd_reset ;;
    env) cat "$ENV_FILE" ;;
    bot-user) WP_URL=$URL WP_DIR=$WP_DIR WP_ONLY_USER=depeche-bot:depeche_bot php "$HERE/install.php" ;;
    status) if server_up; then echo "up: $URL"; else echo "down: $URL"; exit 1; fi ;;
    *) echo "usage: $0 start|stop|reset|env|bot-user|status" >&2; exit 2 ;;
esac
