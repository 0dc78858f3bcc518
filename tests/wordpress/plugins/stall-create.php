<?php
/**
 * Plugin Name: Stall a create (tests only)
 * Description: The first create of a post titled "... [en retard]" stalls 4 s before
 *   WordPress looks at it (REST, or XML-RPC's wp.newPost): the worker sending it has
 *   outlived its lease meanwhile.
 */
function depeche_test_stall(string $title): void {
    // add_option is false when the option exists: only the first create stalls.
    if (str_contains($title, '[en retard]')
        && add_option('depeche_test_stalled_' . md5($title), '1', '', false)) {
        sleep(4);
    }
}

add_filter('rest_pre_insert_post', function ($prepared, $request) {
    if (empty($prepared->ID)) {
        depeche_test_stall((string) $request->get_param('title'));
    }
    return $prepared;
}, 5, 2);

// XML-RPC: around whatever handles wp.newPost (the Dépêche mu-plugin's guard), before it.
// IXR calls a method by its function's name: the one it wraps is kept in a global.
function depeche_test_stalled_new_post($args) {
    depeche_test_stall((string) ($args[3]['post_title'] ?? ''));
    $inner = $GLOBALS['depeche_test_new_post'];
    if (str_starts_with($inner, 'this:')) {
        global $wp_xmlrpc_server;
        return $wp_xmlrpc_server->{substr($inner, 5)}($args);
    }
    return call_user_func($inner, $args);
}

add_filter('xmlrpc_methods', function ($methods) {
    $GLOBALS['depeche_test_new_post'] = $methods['wp.newPost'];
    $methods['wp.newPost'] = 'depeche_test_stalled_new_post';
    return $methods;
}, 20);
