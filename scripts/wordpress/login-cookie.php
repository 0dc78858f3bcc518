<?php
// Logs a user of the local test WordPress into wp-admin without its password: prints the
// auth and logged-in cookies (`name=value`, one a line) of a fresh session, for the tests
// that look at an editor's page and for scripts/screenshots.py. Local sites only.
// Usage: WP_URL=http://127.0.0.1:8089 WP_DIR=/usr/share/wordpress WP_LOGIN=depeche php login-cookie.php

$parts = parse_url(getenv('WP_URL'));
// Debian's wp-config.php picks its config file from the Host header.
$_SERVER['HTTP_HOST'] = $parts['host'] . ':' . $parts['port'];
$_SERVER['SERVER_NAME'] = $parts['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';

require getenv('WP_DIR') . '/wp-load.php';

$user = get_user_by('login', getenv('WP_LOGIN'));
if (!$user) {
    fwrite(STDERR, 'no user ' . getenv('WP_LOGIN') . "\n");
    exit(1);
}
$expiration = time() + 2 * HOUR_IN_SECONDS;
$token = WP_Session_Tokens::get_instance($user->ID)->create($expiration);
echo AUTH_COOKIE . '=' . wp_generate_auth_cookie($user->ID, $expiration, 'auth', $token) . "\n";
echo LOGGED_IN_COOKIE . '=' . wp_generate_auth_cookie($user->ID, $expiration, 'logged_in', $token) . "\n";
