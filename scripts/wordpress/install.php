<?php
// Installs WordPress without wp-cli, then creates the bot's users with fresh application
// passwords. Idempotent. Prints `export KEY='value'` lines for .wordpress/env.
// Usage: WP_URL=http://127.0.0.1:8089 WP_DIR=/usr/share/wordpress php install.php

$url = getenv('WP_URL');
$parts = parse_url($url);
// Debian's wp-config.php picks its config file from the Host header.
$_SERVER['HTTP_HOST'] = $parts['host'] . ':' . $parts['port'];
$_SERVER['SERVER_NAME'] = $parts['host'];
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
define('WP_INSTALLING', true);

require getenv('WP_DIR') . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
// No mail server here: the install's welcome mail would only print an error.
add_filter('pre_wp_mail', '__return_false');

if (!is_blog_installed()) {
    wp_install('Dépêche (local)', 'admin', 'admin@example.invalid', false, '', wp_generate_password(24));
}
update_option('timezone_string', 'Europe/Paris');
update_option('blogdescription', 'WordPress local des tests de Dépêche');
// Pretty permalinks, else /wp-json/ answers POSTs with a redirect.
global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%postname%/');
flush_rewrite_rules(false);

function depeche_user_with_app_password(string $login, string $role): array {
    $user = get_user_by('login', $login);
    if (!$user) {
        $id = wp_insert_user([
            'user_login' => $login,
            'user_pass' => wp_generate_password(24),
            'user_email' => $login . '@example.invalid',
            'display_name' => ucfirst($login),
            'role' => $role,
        ]);
        if (is_wp_error($id)) {
            fwrite(STDERR, $id->get_error_message() . "\n");
            exit(1);
        }
        $user = get_user_by('id', $id);
    }
    $user->set_role($role);
    WP_Application_Passwords::delete_all_application_passwords($user->ID);
    [$password] = WP_Application_Passwords::create_new_application_password(
        $user->ID, ['name' => 'depeche-local']
    );
    return [$user->ID, $password];
}

// WP_ONLY_USER=login:role makes (or refreshes) that one user and prints its credentials,
// touching no other user: `scripts/wordpress.sh bot-user` for the depeche_bot role's tests.
if ($only = getenv('WP_ONLY_USER')) {
    [$login, $role] = explode(':', $only, 2);
    if (get_role($role) === null) {
        fwrite(STDERR, "no role $role: install the Dépêche mu-plugin first\n");
        exit(1);
    }
    [$id, $password] = depeche_user_with_app_password($login, $role);
    echo "export WP_BOT_USER='$login'\n";
    echo "export WP_BOT_APP_PASSWORD='$password'\n";
    echo "export WP_BOT_ID='$id'\n";
    exit(0);
}

[$editor_id, $editor_pw] = depeche_user_with_app_password('depeche', 'editor');
[$author_id, $author_pw] = depeche_user_with_app_password('auteur', 'author');

echo "export DEPECHE_WP_USER='depeche'\n";
echo "export DEPECHE_WP_APP_PASSWORD='$editor_pw'\n";
echo "export WP_EDITOR_ID='$editor_id'\n";
echo "export WP_AUTHOR_USER='auteur'\n";
echo "export WP_AUTHOR_APP_PASSWORD='$author_pw'\n";
echo "export WP_AUTHOR_ID='$author_id'\n";
