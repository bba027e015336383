#!/usr/bin/env bash
# The real-Moodle test fixture: installs Moodle 4.5.5+ and 5.1.6 from ../shared/moodle (pristine
# source trees, never copied into this repository) with our Moodle plugins, on the loopback
# PostgreSQL that scripts/install-tools.sh --test starts, as template databases the tests clone.
#
#   scripts/moodle-fixture.sh install [45|51 ...]   install or refresh (default: both versions)
#   scripts/moodle-fixture.sh status                 what is installed, one line per version
#   scripts/moodle-fixture.sh env 45                 the environment a Moodle CLI run needs
#                                                    (eval "$(scripts/moodle-fixture.sh env 45)")
#
# Everything lives under $SCHOOLBRIDGE_MOODLE_HOME (default /var/tmp/schoolbridge-moodle), outside
# the repository (SCHOOLBRIDGE_MOODLE_DB_PREFIX, SCHOOLBRIDGE_MOODLE45_PORT and _51_PORT keep a
# second checkout's fixture apart):
#   openssl.cnf               the system file plus the legacy provider (RC4), as README.md tells
#                             Moodle admins to do; every PHP run of the fixture uses it
#   <ver>/code/               the unpacked tree, with our plugins copied in
#   <ver>/dataroot-template/  the data root of the template site
#   <ver>/stamp               what the template was built from (tarball, plugins, this script)
# and in PostgreSQL the template databases sb_moodle45_tpl and sb_moodle51_tpl (by default). A test
# (tests/browser/moodle/site.rs) clones both for a fresh site in under a second and serves it
# with `php -S` on the version's fixed loopback port (its wwwroot is part of the template).
#
# Idempotent: config.php and our plugins' code are rewritten on every run (a second); a change to
# our plugins re-runs Moodle's upgrade on the template; a new tarball or FIXTURE_REVISION
# reinstalls. Needs root (or sudo) only to install PHP from Debian's packages.
set -euo pipefail

# Bump when a change here must rebuild the templates.
readonly FIXTURE_REVISION=1

readonly repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly moodle_home="${SCHOOLBRIDGE_MOODLE_HOME:-/var/tmp/schoolbridge-moodle}"
# The one place outside this repository that the build reads: the Moodle fixture.
readonly tarball_dir="${SCHOOLBRIDGE_MOODLE_TARBALLS:-$repo_root/../shared/moodle}"

readonly PG_HOST="127.0.0.1"
readonly PG_PORT="${SCHOOLBRIDGE_PG_PORT:-5432}"
readonly PG_ROLE="schoolbridge"
readonly PG_PASSWORD="${SCHOOLBRIDGE_PG_PASSWORD:-schoolbridge}"

readonly ADMIN_PASSWORD="Moodle-admin-1"
readonly PHP_PACKAGES=(php8.2-cli php8.2-pgsql php8.2-xml php8.2-mbstring php8.2-curl php8.2-zip
    php8.2-gd php8.2-intl php8.2-soap php8.2-opcache php8.2-readline)

say() { printf '==> moodle-fixture: %s\n' "$*" >&2; }
die() {
    printf 'moodle-fixture: %s\n' "$*" >&2
    exit 1
}

# --- per-version facts --------------------------------------------------------------------------

tarball() {
    case "$1" in
        45) echo "moodle-4.5.5.tar.gz" ;;
        51) echo "moodle-5.1.6.tar.gz" ;;
        *) die "unknown Moodle version '$1' (45 or 51)" ;;
    esac
}
tarball_sha256() {
    case "$1" in
        45) echo "a9b7a79f67a3cd1fbb325ded53966ec891f6e3875c822d0c644063253196e6d3" ;;
        51) echo "ddef46e3bca4729d3f4cc69fce7fa76f18750caa3cc3431b4cc35b94fc7b165b" ;;
    esac
}
# The fixed loopback port: the wwwroot is stored in the template (MNet's own host record and
# Moodle's key carry it), so every clone of a version's site is served at the same address.
port() {
    case "$1" in
        45) echo "${SCHOOLBRIDGE_MOODLE45_PORT:-47045}" ;;
        51) echo "${SCHOOLBRIDGE_MOODLE51_PORT:-47051}" ;;
    esac
}
# Where plugins go: 4.5 serves the tree's root, 5.1 serves public/ (config.php stays at the root).
webroot() {
    case "$1" in
        45) echo "$moodle_home/45/code" ;;
        51) echo "$moodle_home/51/code/public" ;;
    esac
}
# Several checkouts on one machine (git worktrees) keep apart with their own
# SCHOOLBRIDGE_MOODLE_HOME, SCHOOLBRIDGE_MOODLE_DB_PREFIX and ports.
readonly db_prefix="${SCHOOLBRIDGE_MOODLE_DB_PREFIX:-sb_moodle}"
template_db() { echo "${db_prefix}$1_tpl"; }

# --- tools --------------------------------------------------------------------------------------

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        die "need root (or sudo) to run: $*"
    fi
}

install_php() {
    local missing=() pkg
    for pkg in "${PHP_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    say "apt-get install ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -qq update
    as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq -o DPkg::Lock::Timeout=600 "${missing[@]}" >/dev/null
}

psql_as_role() {
    PGPASSWORD="$PG_PASSWORD" PGOPTIONS='--client-min-messages=warning' psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ROLE" -d postgres \
        -v ON_ERROR_STOP=1 -tAq "$@"
}

require_postgres() {
    psql_as_role -c 'SELECT 1' >/dev/null 2>&1 ||
        die "PostgreSQL does not answer as $PG_ROLE@$PG_HOST:$PG_PORT: run scripts/install-tools.sh --test first"
}

# The system openssl.cnf with the legacy provider activated next to the default one. The system
# file's `openssl_conf = openssl_init` line stays: a file holding only the provider sections gives
# RC4 but breaks openssl_csr_new(), and Moodle then cannot make its MNet key.
write_openssl_cnf() {
    local system_cnf="${OPENSSL_SYSTEM_CNF:-/etc/ssl/openssl.cnf}" out="$moodle_home/openssl.cnf"
    [ -f "$system_cnf" ] || die "no $system_cnf"
    grep -q '^openssl_conf *= *openssl_init' "$system_cnf" ||
        die "$system_cnf has no 'openssl_conf = openssl_init' line: write the legacy provider set-up by hand"
    mkdir -p "$moodle_home"
    {
        awk '/^\[ *openssl_init *\]/ { print; print "providers = provider_sect"; next }
             /^[[:space:]]*providers[[:space:]]*=/ { next }
             { print }' "$system_cnf"
        printf '\n[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n'
        printf '\n[default_sect]\nactivate = 1\n\n[legacy_sect]\nactivate = 1\n'
    } >"$out.tmp"
    mv "$out.tmp" "$out"
    OPENSSL_CONF="$out" php -r 'exit(in_array("rc4", openssl_get_cipher_methods()) ? 0 : 1);' ||
        die "PHP has no RC4 even with $out"
}

# PHP settings of every fixture run: Moodle's installer wants max_input_vars >= 5000; OPcache
# makes php -S answer a page in about 0.1 s instead of a second.
php_ini_args() {
    printf '%s\n' -d max_input_vars=5000 -d opcache.enable_cli=1 -d opcache.memory_consumption=256 \
        -d opcache.max_accelerated_files=20000 -d memory_limit=512M
}

moodle_php() { # version, args...: PHP with the fixture's environment, from the code tree
    local version="$1"
    shift
    local ini
    mapfile -t ini < <(php_ini_args)
    OPENSSL_CONF="$moodle_home/openssl.cnf" \
        SB_MOODLE_CODE="$moodle_home/$version/code" \
        SB_MOODLE_DBNAME="$(template_db "$version")" \
        SB_MOODLE_DATAROOT="$moodle_home/$version/dataroot-template" \
        php "${ini[@]}" "$@"
}

# --- the steps ----------------------------------------------------------------------------------

plugins_hash() {
    (cd "$repo_root/moodle" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum |
        cut -c1-64
}

unpack() {
    local version="$1" dir="$moodle_home/$1"
    local file
    file="$tarball_dir/$(tarball "$version")"
    [ -f "$file" ] || die "no $file: the Moodle trees come from ../shared/moodle"
    local want
    want="$(tarball_sha256 "$version")"
    if [ -f "$dir/code/.sb-tarball-sha256" ] && [ "$(cat "$dir/code/.sb-tarball-sha256")" = "$want" ]; then
        return 0
    fi
    local got
    got="$(sha256sum "$file" | cut -c1-64)"
    [ "$got" = "$want" ] || die "$file has sha256 $got, expected $want"
    say "unpack $(basename "$file")"
    rm -rf "$dir/code" "$dir/unpack"
    mkdir -p "$dir/unpack"
    tar -xzf "$file" -C "$dir/unpack"
    mv "$dir/unpack/moodle" "$dir/code"
    rmdir "$dir/unpack"
    echo "$want" >"$dir/code/.sb-tarball-sha256"
}

# Our plugins, installed from the ZIPs a school downloads (scripts/moodle-zips.sh, checked as
# Moodle's ZIP installer checks them) and unpacked into the plugin type's folder as that installer
# does: what the tests run is what ships. Copied, never linked (Moodle resolves plugin paths
# through realpath in places).
copy_plugins() {
    local version="$1" web
    web="$(webroot "$version")"
    local zips="$moodle_home/zips"
    if [ ! -f "$zips/.sb-plugins" ] || [ "$(cat "$zips/.sb-plugins")" != "$(plugins_hash)" ]; then
        rm -rf "$zips"
        bash "$repo_root/scripts/moodle-zips.sh" "$zips" >/dev/null
        plugins_hash >"$zips/.sb-plugins"
    fi
    local zipfile
    for zipfile in "$zips"/*.zip; do
        local component type name
        component="$(basename "$zipfile" .zip)"
        type="${component%%_*}"
        name="${component#*_}"
        rm -rf "${web:?}/$type/$name"
        unzip -q "$zipfile" -d "$web/$type"
    done
}

# config.php reads the database and data root from the environment, so that one code tree serves
# the template and every test's clone of it, and the wwwroot, so that a 4.5 site upgraded in place
# with the 5.1 tree keeps its address. Everything else is fixed.
write_config() {
    local version="$1" dir="$moodle_home/$1"
    cat >"$dir/code/config.php" <<PHP
<?php  // Written by SchoolBridge's scripts/moodle-fixture.sh: a test fixture, not for production.
unset(\$CFG);
global \$CFG;
\$CFG = new stdClass();
\$CFG->dbtype    = 'pgsql';
\$CFG->dblibrary = 'native';
\$CFG->dbhost    = '$PG_HOST';
\$CFG->dbname    = getenv('SB_MOODLE_DBNAME') ?: '$(template_db "$version")';
\$CFG->dbuser    = '$PG_ROLE';
\$CFG->dbpass    = '$PG_PASSWORD';
\$CFG->prefix    = 'mdl_';
\$CFG->dboptions = ['dbpersist' => 0, 'dbport' => $PG_PORT, 'dbsocket' => ''];
// A site upgraded in place from another version keeps its own address (tests/browser/moodle/site.rs).
\$CFG->wwwroot   = getenv('SB_MOODLE_WWWROOT') ?: 'http://127.0.0.1:$(port "$version")';
\$CFG->dataroot  = getenv('SB_MOODLE_DATAROOT') ?: '$dir/dataroot-template';
\$CFG->admin     = 'admin';
\$CFG->directorypermissions = 02777;
// Loopback peers on high ports: the fixture's own settings (README.md tells admins the same).
\$CFG->curlsecurityblockedhosts = '';
\$CFG->curlsecurityallowedport = '';
// PHP warnings go to the server log, not into pages; developer mode stays off (its fixed
// "Purge all caches" bar covers the bottom of every page, which no school admin sees).
\$CFG->debug = (E_ALL & ~E_DEPRECATED);
\$CFG->debugdisplay = 0;
\$CFG->noemailever = true;
require_once(__DIR__ . '/lib/setup.php');
PHP
}

drop_template() {
    local version="$1" db
    db="$(template_db "$version")"
    psql_as_role -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
    rm -rf "$moodle_home/$version/dataroot-template"
}

install_template() {
    local version="$1" dir="$moodle_home/$1" db
    db="$(template_db "$version")"
    drop_template "$version"
    say "install Moodle $version into $db (about a minute)"
    psql_as_role -c "CREATE DATABASE $db OWNER $PG_ROLE ENCODING 'UTF8' TEMPLATE template0" >/dev/null
    mkdir -p "$dir/dataroot-template"
    moodle_php "$version" "$dir/code/admin/cli/install_database.php" --agree-license --lang=en \
        --adminuser=admin --adminpass="$ADMIN_PASSWORD" --adminemail=admin@springfield.example \
        --fullname="Springfield Elementary Moodle" --shortname=springfield \
        >"$dir/install.log" 2>&1 || {
        tail -n 30 "$dir/install.log" >&2
        die "Moodle $version install failed (log: $dir/install.log)"
    }
}

upgrade_template() {
    local version="$1" dir="$moodle_home/$1"
    say "Moodle $version: upgrade (installs or updates our plugins) and purge caches"
    moodle_php "$version" "$dir/code/admin/cli/upgrade.php" --non-interactive >"$dir/upgrade.log" 2>&1 || {
        tail -n 30 "$dir/upgrade.log" >&2
        die "Moodle $version upgrade failed (log: $dir/upgrade.log)"
    }
    moodle_php "$version" "$dir/code/admin/cli/purge_caches.php" >/dev/null
}

# The template's last touches: the front page title, then warm caches with one page render of
# the pages every test opens (the first render of a fresh data root costs seconds).
finish_template() {
    local version="$1" dir="$moodle_home/$1"
    moodle_php "$version" "$repo_root/tests/moodle/fixture.php" template-ready >/dev/null
}

stamp_of() {
    printf 'revision=%s tarball=%s plugins=%s\n' "$FIXTURE_REVISION" "$(tarball_sha256 "$1")" \
        "$(plugins_hash)"
}

template_exists() {
    [ "$(psql_as_role -c "SELECT 1 FROM pg_database WHERE datname = '$(template_db "$1")'")" = 1 ] &&
        [ -d "$moodle_home/$1/dataroot-template" ]
}

install_version() {
    local version="$1" dir="$moodle_home/$1" started=$SECONDS
    local want have=""
    want="$(stamp_of "$version")"
    [ -f "$dir/stamp" ] && have="$(cat "$dir/stamp")"
    mkdir -p "$dir"
    unpack "$version"
    # Cheap and idempotent: config.php and our plugins' code always match this checkout.
    write_config "$version"
    copy_plugins "$version"
    if [ "$want" = "$have" ] && template_exists "$version"; then
        say "Moodle $version: up to date"
        return 0
    fi
    rm -f "$dir/stamp"
    if [ -n "$have" ] && template_exists "$version" &&
        [ "${want%% plugins=*}" = "${have%% plugins=*}" ]; then
        # Only our plugins changed: Moodle's own upgrade brings the template up to date.
        upgrade_template "$version"
    else
        install_template "$version"
        upgrade_template "$version"
    fi
    finish_template "$version"
    echo "$want" >"$dir/stamp"
    say "Moodle $version ready at http://127.0.0.1:$(port "$version") ($((SECONDS - started)) s)"
}

status() {
    local version
    for version in 45 51; do
        local dir="$moodle_home/$version"
        if [ -f "$dir/stamp" ] && [ "$(cat "$dir/stamp")" = "$(stamp_of "$version")" ]; then
            echo "$version ready $dir"
        elif [ -f "$dir/stamp" ]; then
            echo "$version stale $dir"
        else
            echo "$version missing $dir"
        fi
    done
}

print_env() {
    local version="$1"
    tarball "$version" >/dev/null
    printf 'export OPENSSL_CONF=%q\n' "$moodle_home/openssl.cnf"
    printf 'export SB_MOODLE_DBNAME=%q\n' "$(template_db "$version")"
    printf 'export SB_MOODLE_DATAROOT=%q\n' "$moodle_home/$version/dataroot-template"
    printf 'export SB_MOODLE_CODE=%q\n' "$moodle_home/$version/code"
}

main() {
    local command="${1:-install}"
    shift || true
    case "$command" in
        install)
            local versions=("$@")
            [ "${#versions[@]}" -gt 0 ] || versions=(45 51)
            local started=$SECONDS
            install_php
            require_postgres
            write_openssl_cnf
            local version
            for version in "${versions[@]}"; do
                install_version "$version"
            done
            say "fixture ready ($((SECONDS - started)) s)"
            ;;
        status) status ;;
        env) print_env "${1:?which version}" ;;
        -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' ;;
        *) die "unknown command: $command (try --help)" ;;
    esac
}

main "$@"
