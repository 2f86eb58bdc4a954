# Prints a one-line reason for a failed run of LXD's main.sh, from its log (traced with set -x via LXD_VERBOSE):
# the last command traced (or spawn_lxd step announced) before the cleanup trap, and the error it printed.
# Usage: awk -f first-error.awk suite.log
function clean(s) {
    sub(/^\++ /, "", s)
    sub(/^timeout --foreground [0-9]+ [^ ]*\/lxc /, "lxc ", s)
    gsub(/"/, "", s)
    gsub(/ --(verbose|debug|force-local)/, "", s)
    return s
}
/^\+ cleanup$/ || /^==> Cleaning up/ { done = 1 }
done { next }
/^\++ / {
    c = $0; sub(/^\++ /, "", c)
    if (c ~ /^(set |eval |LXC_LOCAL=|local |injected=|cmd=|unset |command |echo |return|true$|false$)/) next
    if (c ~ /^lxc_remote /) next
    cmd = clean($0); cmd_line = NR; next
}
/^==> / && !/^==> TEST BEGIN/ { step = $0; sub(/^==> /, "", step); step_line = NR; next }
/Error: / { err = substr($0, index($0, "Error: ")); err_line = NR; next }
/^error: / || /^Missing dependencies/ || /: not found$/ || /^==> REQUIRED/ || /is not empty, content:$/ || /^DB table .* is not empty/ {
    err = $0; err_line = NR
}
END {
    where = cmd; last = cmd_line
    if (step_line > cmd_line) { where = "at \"" step "\""; last = step_line }
    if (err == "" && where == "") { print "no error found in log"; exit }
    # An error printed before the failing command belongs to an earlier command that was expected to fail.
    out = (err != "" && err_line > last ? err : "failed")
    if (where != "") out = out " [after: " where "]"
    if (length(out) > 160) out = substr(out, 1, 157) "..."
    print out
}
