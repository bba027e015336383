# Shared by the packaging and fixture scripts: sourced, not run. Sets `repo` (the repository's
# root) and gives one way to stop with a message and one way to ask for tools.

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Stops the calling script with a message that starts with its name (`build-deb: …`).
die() {
    echo "$(basename "$0" .sh): $*" >&2
    exit 1
}

# Stops unless every tool named is on the PATH.
need_tools() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null || die "$tool is missing (scripts/install-tools.sh --test installs it)"
    done
}
