<?php
// SchoolBridge's driver for a real Moodle in tests: one command per run, JSON in, JSON out.
//
//   php tests/moodle/fixture.php COMMAND ['{"json": "arguments"}']
//
// Run with the environment of scripts/moodle-fixture.sh (`env` prints it; tests/browser/moodle/
// site.rs sets it): SB_MOODLE_CODE (the code tree), SB_MOODLE_DBNAME, SB_MOODLE_DATAROOT and
// OPENSSL_CONF. It loads that Moodle's config.php and uses Moodle's own PHP APIs, the way an
// admin's or a teacher's action would (so every event and observer fires): it never patches Moodle
// and never writes Moodle's tables where an API exists. Tests use it for set-up and bulk data;
// the steps a person takes in Moodle's pages (adding a peer, the Services tab, single sign-on)
// are clicked in the browser.
//
// Prints {"ok": true, "result": …} or {"ok": false, "error": "…"} on standard output; Moodle's own
// output (debugging, mtrace) goes to standard error.

define('CLI_SCRIPT', true);
// Tests read our JSON on stdout; everything else Moodle prints goes to stderr.
ob_start();

$code = getenv('SB_MOODLE_CODE');
if (!$code || !is_file($code . '/config.php')) {
    fwrite(STDERR, "fixture.php: SB_MOODLE_CODE must name an installed Moodle code tree\n");
    exit(2);
}
require($code . '/config.php');
require_once($CFG->libdir . '/clilib.php');
require_once($CFG->dirroot . '/mnet/lib.php');
require_once($CFG->dirroot . '/mnet/peer.php');
require_once($CFG->dirroot . '/enrol/locallib.php');
require_once($CFG->dirroot . '/course/lib.php');
require_once($CFG->dirroot . '/user/lib.php');
require_once($CFG->libdir . '/gradelib.php');
require_once($CFG->libdir . '/grade/grade_item.php');
require_once($CFG->libdir . '/grade/grade_grade.php');

$command = $argv[1] ?? '';
$args = isset($argv[2]) ? json_decode($argv[2], true) : [];
if (!is_array($args)) {
    $args = [];
}

/** The argument $name, or a failure naming it. */
function arg(array $args, string $name) {
    if (!array_key_exists($name, $args)) {
        throw new coding_exception("missing argument '$name'");
    }
    return $args[$name];
}

function user_by_username(string $username): stdClass {
    global $DB, $CFG;
    return $DB->get_record('user', ['username' => $username, 'mnethostid' => $CFG->mnet_localhost_id],
        '*', MUST_EXIST);
}

function course_by_shortname(string $shortname): stdClass {
    global $DB;
    return $DB->get_record('course', ['shortname' => $shortname], '*', MUST_EXIST);
}

function manual_instance(stdClass $course): stdClass {
    global $DB;
    $instance = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual']);
    if (!$instance) {
        $plugin = enrol_get_plugin('manual');
        $plugin->add_instance($course);
        $instance = $DB->get_record('enrol', ['courseid' => $course->id, 'enrol' => 'manual'], '*', MUST_EXIST);
    }
    return $instance;
}

/** The grade item of the activity or manual item called $name in the course. */
function grade_item_by_name(stdClass $course, string $name): grade_item {
    $items = grade_item::fetch_all(['courseid' => $course->id]) ?: [];
    foreach ($items as $item) {
        if ($item->get_name() === $name || $item->itemname === $name) {
            return $item;
        }
    }
    throw new moodle_exception('invalidrecord', 'error', '', null, "no grade item '$name'");
}

function peer_by_wwwroot(string $wwwroot): stdClass {
    global $DB;
    return $DB->get_record('mnet_host', ['wwwroot' => $wwwroot, 'deleted' => 0], '*', MUST_EXIST);
}

/** Services of $hostid, as the Services tab would save them. */
function set_services(int $hostid, array $publish, array $subscribe): array {
    global $DB;
    $names = array_unique(array_merge($publish, $subscribe));
    $done = [];
    foreach ($names as $name) {
        $service = $DB->get_record('mnet_service', ['name' => $name], '*', MUST_EXIST);
        $row = $DB->get_record('mnet_host2service', ['hostid' => $hostid, 'serviceid' => $service->id]);
        $p = in_array($name, $publish, true) ? 1 : 0;
        $s = in_array($name, $subscribe, true) ? 1 : 0;
        if ($row) {
            $row->publish = $p;
            $row->subscribe = $s;
            $DB->update_record('mnet_host2service', $row);
        } else {
            $DB->insert_record('mnet_host2service',
                (object)['hostid' => $hostid, 'serviceid' => $service->id, 'publish' => $p, 'subscribe' => $s]);
        }
        $done[$name] = ['publish' => $p, 'subscribe' => $s];
    }
    return $done;
}

$commands = [
    // The template's last touches (scripts/moodle-fixture.sh): no user tours over the pages the
    // tests click, and a site name people recognise.
    'template-ready' => function (array $a) {
        global $DB;
        if ($DB->get_manager()->table_exists('tool_usertours_tours')) {
            $DB->set_field('tool_usertours_tours', 'enabled', 0);
        }
        set_config('enableanalytics', 0);
        set_config('registrationpending', 0);
        // What cron does within five minutes of installing auth_schoolbridge: its MNet methods are
        // offered only while it is enabled (a fresh install registers them enabled).
        if (class_exists('\\auth_schoolbridge\\task\\sessions')) {
            (new \auth_schoolbridge\task\sessions())->execute();
        }
        return ['release' => get_config('core', 'release')];
    },

    // Site administration → Advanced features → Networking: on. Moodle makes its key pair on
    // the first use of the MNet environment.
    'networking-on' => function (array $a) {
        global $CFG;
        set_config('mnet_dispatcher_mode', 'strict');
        $mnet = get_mnet_environment();
        $mnet->init();
        $mnet->get_keypair();
        return ['wwwroot' => $CFG->wwwroot, 'certificate' => $mnet->public_key,
            'expires' => (int)$mnet->public_key_expires];
    },

    // What Moodle holds about itself and its peers.
    'mnet-state' => function (array $a) {
        global $DB, $CFG;
        $mnet = get_mnet_environment();
        $hosts = $DB->get_records_select('mnet_host', 'id <> ? AND id <> ?',
            [$CFG->mnet_localhost_id, $CFG->mnet_all_hosts_id ?? 0], 'id');
        $out = [];
        foreach ($hosts as $h) {
            $services = $DB->get_records_sql('SELECT s.name, h2s.publish, h2s.subscribe
                  FROM {mnet_host2service} h2s JOIN {mnet_service} s ON s.id = h2s.serviceid
                 WHERE h2s.hostid = ?', [$h->id]);
            $out[] = ['id' => (int)$h->id, 'wwwroot' => $h->wwwroot, 'name' => $h->name,
                'deleted' => (int)$h->deleted, 'public_key' => $h->public_key,
                'public_key_expires' => (int)$h->public_key_expires,
                'services' => array_map(function ($s) {
                    return ['publish' => (int)$s->publish, 'subscribe' => (int)$s->subscribe];
                }, $services)];
        }
        return ['wwwroot' => $CFG->wwwroot, 'dispatcher' => $CFG->mnet_dispatcher_mode ?? 'off',
            'certificate' => $mnet->public_key, 'hosts' => $out];
    },

    // Adds a peer as Site administration → Networking → Manage peers does (fetches its key).
    'add-peer' => function (array $a) {
        $peer = new mnet_peer();
        $application = $a['application'] ?? 'moodle';
        if (!$peer->bootstrap(arg($a, 'wwwroot'), null, $application)) {
            throw new moodle_exception('cannot bootstrap ' . $a['wwwroot']);
        }
        if (!empty($a['name'])) {
            $peer->name = $a['name'];
        }
        if (!$peer->commit()) {
            throw new moodle_exception('cannot save the peer');
        }
        return ['id' => (int)$peer->id, 'name' => $peer->name, 'public_key' => $peer->public_key];
    },

    'services' => function (array $a) {
        $peer = peer_by_wwwroot(arg($a, 'wwwroot'));
        return set_services((int)$peer->id, $a['publish'] ?? [], $a['subscribe'] ?? []);
    },

    // Everything Moodle needs for MNet single sign-on, as README.md tells an admin: an MNet
    // authentication plugin on (Manage authentication: stock `mnet` on 4.5, or our `schoolbridge`),
    // the roaming capability for authenticated users, and on 4.5 with stock auth_mnet the Network
    // servers block on every page (auth_schoolbridge puts Network servers in the navigation).
    'sso-setup' => function (array $a) {
        global $CFG, $DB;
        $auth = $a['auth'] ?? 'mnet';
        \core\plugininfo\auth::enable_plugin($auth, 1);
        if ($a['roaming'] ?? true) {
            $role = $DB->get_record('role', ['shortname' => $a['role'] ?? 'user'], '*', MUST_EXIST);
            assign_capability('moodle/site:mnetlogintoremote', CAP_ALLOW, $role->id,
                context_system::instance()->id, true);
        }
        $block = $a['block'] ?? ($auth === 'mnet' ? 'mnet_hosts' : '');
        if ($block && core_component::get_component_directory('block_' . $block)
                && !$DB->record_exists('block_instances', ['blockname' => $block])) {
            $DB->insert_record('block_instances', (object)[
                'blockname' => $block, 'parentcontextid' => context_system::instance()->id,
                'showinsubcontexts' => 1, 'requiredbytheme' => 0, 'pagetypepattern' => '*',
                'subpagepattern' => null, 'defaultregion' => 'side-pre', 'defaultweight' => 0,
                'configdata' => '', 'timecreated' => time(), 'timemodified' => time()]);
        }
        \core\session\manager::kill_all_sessions();
        accesslib_clear_all_caches(true);
        return ['auth' => get_config('core', 'auth')];
    },

    // Local plugin settings (Site administration → Plugins → Local plugins → SchoolTool SIS).
    'plugin-config' => function (array $a) {
        foreach ($a as $name => $value) {
            if ($name === 'peers') {
                $ids = [];
                foreach ((array)$value as $wwwroot) {
                    $ids[] = peer_by_wwwroot($wwwroot)->id;
                }
                $value = implode(',', $ids);
            }
            set_config($name, is_array($value) ? implode(',', $value) : $value, 'local_schooltool');
        }
        return get_config('local_schooltool');
    },

    'create-user' => function (array $a) {
        global $CFG;
        $user = (object)[
            'username' => arg($a, 'username'), 'firstname' => arg($a, 'firstname'),
            'lastname' => arg($a, 'lastname'), 'email' => $a['email'] ?? ($a['username'] . '@springfield.example'),
            'idnumber' => $a['idnumber'] ?? '', 'auth' => 'manual', 'confirmed' => 1,
            'mnethostid' => $CFG->mnet_localhost_id, 'password' => $a['password'] ?? 'Student-pass-1',
        ];
        $user->id = user_create_user($user, true, true);
        return ['id' => (int)$user->id];
    },

    // A user is created inside a transaction while the plugin's queue table is away, so the plugin's
    // observer fails in the middle of the user's transaction; the transaction goes on and commits.
    'observer-failure' => function (array $a) {
        global $CFG, $DB;
        $dbman = $DB->get_manager();
        $dbman->rename_table(new xmldb_table('local_schooltool_queue'), 'local_schooltool_queue_away');
        try {
            $tx = $DB->start_delegated_transaction();
            $id = user_create_user((object)[
                'username' => arg($a, 'username'), 'firstname' => arg($a, 'firstname'),
                'lastname' => arg($a, 'lastname'), 'email' => arg($a, 'username') . '@springfield.example',
                'idnumber' => $a['idnumber'] ?? '', 'auth' => 'manual', 'confirmed' => 1,
                'mnethostid' => $CFG->mnet_localhost_id, 'password' => 'Student-pass-1',
            ], true, true);
            // The user's action goes on after the failed observer, in the same transaction.
            $DB->set_field('user', 'city', 'Springfield', ['id' => $id]);
            $tx->allow_commit();
        } finally {
            $dbman->rename_table(new xmldb_table('local_schooltool_queue_away'), 'local_schooltool_queue');
        }
        return [
            'id' => (int)$id,
            'committed' => $DB->record_exists('user', ['id' => $id, 'city' => 'Springfield']),
            'missed' => (int)get_config('local_schooltool', 'missedchanges'),
        ];
    },

    'update-user' => function (array $a) {
        $user = user_by_username(arg($a, 'username'));
        foreach (['firstname', 'lastname', 'email', 'idnumber'] as $field) {
            if (array_key_exists($field, $a)) {
                $user->$field = $a[$field];
            }
        }
        user_update_user($user, false, true);
        return ['id' => (int)$user->id];
    },

    'create-course' => function (array $a) {
        $course = create_course((object)[
            'fullname' => arg($a, 'fullname'), 'shortname' => arg($a, 'shortname'),
            'idnumber' => $a['idnumber'] ?? '', 'category' => 1, 'format' => 'topics',
            'numsections' => 3,
        ]);
        return ['id' => (int)$course->id];
    },

    // A manual enrolment, with a role: student or editingteacher.
    'enrol' => function (array $a) {
        global $DB;
        $course = course_by_shortname(arg($a, 'course'));
        $user = user_by_username(arg($a, 'user'));
        $role = $DB->get_record('role', ['shortname' => $a['role'] ?? 'student'], '*', MUST_EXIST);
        $status = ($a['status'] ?? 'active') === 'suspended' ? ENROL_USER_SUSPENDED : ENROL_USER_ACTIVE;
        enrol_get_plugin('manual')->enrol_user(manual_instance($course), $user->id, $role->id,
            $a['timestart'] ?? 0, $a['timeend'] ?? 0, $status);
        return ['courseid' => (int)$course->id, 'userid' => (int)$user->id];
    },

    // Edit enrolment (the pencil on the Participants page): status, start and end.
    'update-enrolment' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $user = user_by_username(arg($a, 'user'));
        $status = null;
        if (isset($a['status'])) {
            $status = $a['status'] === 'suspended' ? ENROL_USER_SUSPENDED : ENROL_USER_ACTIVE;
        }
        enrol_get_plugin('manual')->update_user_enrol(manual_instance($course), $user->id, $status,
            $a['timestart'] ?? null, $a['timeend'] ?? null);
        return ['ok' => true];
    },

    'unenrol' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $user = user_by_username(arg($a, 'user'));
        enrol_get_plugin('manual')->unenrol_user(manual_instance($course), $user->id);
        return ['ok' => true];
    },

    // A manual grade item in the gradebook (Gradebook setup → Add grade item).
    'create-grade-item' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $item = new grade_item(['courseid' => $course->id, 'itemtype' => 'manual',
            'itemname' => arg($a, 'name'), 'grademax' => $a['grademax'] ?? 100, 'grademin' => 0,
            'idnumber' => $a['idnumber'] ?? null, 'gradetype' => GRADE_TYPE_VALUE], false);
        $item->insert('manual');
        return ['id' => (int)$item->id];
    },

    'update-grade-item' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $item = grade_item_by_name($course, arg($a, 'name'));
        foreach (['itemname' => 'rename', 'grademax' => 'grademax'] as $field => $key) {
            if (array_key_exists($key, $a)) {
                $item->$field = $a[$key];
            }
        }
        $item->update('manual');
        return ['id' => (int)$item->id];
    },

    'delete-grade-item' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $item = grade_item_by_name($course, arg($a, 'name'));
        $item->delete('manual');
        return ['ok' => true];
    },

    // Grader report: a grade for a student (null clears it), as the teacher types it.
    'grade' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $item = grade_item_by_name($course, arg($a, 'item'));
        $user = user_by_username(arg($a, 'user'));
        $value = $a['grade'] ?? null;
        $ok = $item->update_final_grade($user->id, $value === null ? null : (float)$value, 'gradebook');
        return ['ok' => (bool)$ok];
    },

    // Grader report with editing on: "Exclude" in a grade's menu.
    'exclude-grade' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $item = grade_item_by_name($course, arg($a, 'item'));
        $user = user_by_username(arg($a, 'user'));
        $grade = grade_grade::fetch(['itemid' => $item->id, 'userid' => $user->id]);
        if (!$grade) {
            throw new moodle_exception('no grade to exclude');
        }
        $grade->grade_item = $item;
        $grade->set_excluded(!empty($a['excluded']) ? time() : 0);
        // As the grade's edit form does (grade/edit/tree/grade.php): the totals above it are recomputed later.
        $item->get_parent_category()->force_regrading();
        return ['ok' => true];
    },

    // Gradebook setup → the course's top category, "Edit category": its aggregation (GRADE_AGGREGATE_*:
    // 10 weighted mean, 13 Natural …) and each item's weight ("Item weight", aggregationcoef), saved as the
    // forms save them. Moodle marks the course's totals stale; nothing is recomputed yet.
    'course-aggregation' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $category = grade_category::fetch_course_category($course->id);
        $category->aggregation = (int)arg($a, 'aggregation');
        $category->update('gradebook');
        foreach ((array)($a['weights'] ?? []) as $name => $weight) {
            $item = grade_item_by_name($course, (string)$name);
            $item->aggregationcoef = (float)$weight;
            $item->update('gradebook');
        }
        return ['categoryid' => (int)$category->id];
    },

    // Moodle's own course total of a student, as its gradebook holds it: grade_grades.finalgrade of the
    // course's grade item (null when none), the item's maximum and whether Moodle marked it stale.
    'course-total' => function (array $a) {
        global $DB;
        $course = course_by_shortname(arg($a, 'course'));
        $user = user_by_username(arg($a, 'user'));
        $item = grade_item::fetch_course_item($course->id);
        $grade = $DB->get_record('grade_grades', ['itemid' => $item->id, 'userid' => $user->id]);
        return ['itemid' => (int)$item->id, 'idnumber' => (string)$item->idnumber, 'grademax' => (float)$item->grademax,
            'needsupdate' => (int)$item->needsupdate, 'name' => $item->get_name(),
            'finalgrade' => ($grade && $grade->finalgrade !== null) ? (float)$grade->finalgrade : null];
    },

    // Course reset (Course administration → Reset) with "Delete all grades": Moodle deletes the
    // grade_grades rows of every item (grade_deleted for each) and keeps the items.
    'reset-grades' => function (array $a) {
        $course = course_by_shortname(arg($a, 'course'));
        $status = reset_course_userdata((object)['id' => $course->id, 'courseid' => $course->id,
            'reset_gradebook_grades' => 1]);
        return ['status' => $status];
    },

    // The plugin's delivery state of a peer (what its status page shows).
    'peer-state' => function (array $a) {
        global $DB;
        $state = $DB->get_record('local_schooltool_peer', ['peerid' => peer_by_wwwroot(arg($a, 'wwwroot'))->id]);
        return $state ? (array)$state : null;
    },

    // The plugin's queue for a peer, newest last.
    'queue' => function (array $a) {
        global $DB;
        $params = [];
        $where = '1 = 1';
        if (!empty($a['wwwroot'])) {
            $where = 'peerid = ?';
            $params[] = peer_by_wwwroot($a['wwwroot'])->id;
        }
        $rows = $DB->get_records_select('local_schooltool_queue', $where, $params, 'id');
        return array_values(array_map(function ($r) {
            return ['id' => (int)$r->id, 'method' => $r->methodname, 'status' => (int)$r->status,
                'attempts' => (int)$r->attempts, 'faultcode' => $r->faultcode === null ? null : (int)$r->faultcode,
                'lasterror' => $r->lasterror, 'eventid' => $r->eventid,
                'payload' => json_decode($r->payload, true)];
        }, $rows));
    },

    // Moodle rotates its MNet key at the next use once it has expired (mnet/environment.php).
    'expire-key' => function (array $a) {
        global $DB, $CFG;
        $DB->set_field('mnet_host', 'public_key_expires', time() - 1, ['id' => $CFG->mnet_localhost_id]);
        $mnet = get_mnet_environment();
        $mnet->public_key_expires = time() - 1;
        $mnet->keypair = [];
        $mnet->get_keypair();
        return ['certificate' => $mnet->public_key];
    },

    // Read-only SQL for assertions on Moodle's side.
    // Many commands in one PHP process (a school made inside Moodle for the batch figures):
    // {"steps": [{"command": "create-user", "args": {...}}, ...]}; returns how many ran.
    'steps' => function (array $a) use (&$commands) {
        $done = 0;
        foreach ((array)arg($a, 'steps') as $step) {
            $name = $step['command'] ?? '';
            if ($name === 'steps' || !isset($commands[$name])) {
                throw new coding_exception("steps: unknown command '$name'");
            }
            $commands[$name]((array)($step['args'] ?? []));
            $done++;
        }
        return $done;
    },

    'sql' => function (array $a) {
        global $DB;
        $sql = arg($a, 'sql');
        if (!preg_match('/^\s*select\b/i', $sql)) {
            throw new coding_exception('sql runs SELECT statements only');
        }
        return array_values(array_map(function ($r) {
            return (array)$r;
        }, $DB->get_records_sql($sql, $a['params'] ?? [])));
    },
];

if (!isset($commands[$command])) {
    fwrite(STDERR, "fixture.php: unknown command '$command'; known: " . implode(', ', array_keys($commands)) . "\n");
    exit(2);
}

try {
    \core\session\manager::set_user(get_admin());
    $result = $commands[$command]($args);
    $output = ['ok' => true, 'result' => $result];
    $status = 0;
} catch (Throwable $e) {
    $output = ['ok' => false, 'error' => get_class($e) . ': ' . $e->getMessage()
        . (isset($e->debuginfo) ? ' (' . $e->debuginfo . ')' : '')];
    $status = 1;
}
fwrite(STDERR, ob_get_clean());
// The plugin sends what the command queued at the end of this request (shutdown), as after a
// person's click; its output must not mix with ours either.
ob_start();
register_shutdown_function(function () {
    fwrite(STDERR, ob_get_clean());
});
fwrite(STDOUT, json_encode($output, JSON_UNESCAPED_SLASHES) . "\n");
exit($status);
