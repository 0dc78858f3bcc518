<?php
/**
 * Plugin Name: Dépêche companion
 * Description: Lets the Dépêche bot store its SEO fields, story id and editor note on its
 *   drafts, and find a post again by its story id (REST and XML-RPC), so that a story never
 *   lands twice. Install as wp-content/mu-plugins/depeche.php (print it: `depeche wp plugin`).
 * Version: 1
 * License: GPL-3.0-or-later
 */

if (!defined('ABSPATH')) {
    exit;
}

const DEPECHE_PLUGIN_VERSION = '1';
const DEPECHE_STORY_KEY = 'depeche_story_id';
// Protected (underscore) so that themes listing custom fields never show it to readers.
const DEPECHE_NOTE_KEY = '_depeche_editor_note';

function depeche_seo_keys(): array {
    return [
        '_yoast_wpseo_title', '_yoast_wpseo_metadesc', '_yoast_wpseo_focuskw',
        'rank_math_title', 'rank_math_description', 'rank_math_focus_keyword',
    ];
}

function depeche_key_registered(string $key): bool {
    return registered_meta_key_exists('post', $key, 'post')
        || registered_meta_key_exists('post', $key, '');
}

function depeche_may_edit_meta($allowed, $meta_key, $post_id): bool {
    return current_user_can('edit_post', $post_id);
}

function depeche_register(string $key, string $sanitize, array $context): void {
    // A key that an SEO plugin already registered keeps the plugin's own sanitizer.
    if (depeche_key_registered($key)) {
        return;
    }
    register_post_meta('post', $key, [
        'type' => 'string',
        'single' => true,
        'sanitize_callback' => $sanitize,
        'auth_callback' => 'depeche_may_edit_meta',
        'show_in_rest' => ['schema' => ['type' => 'string', 'context' => $context]],
    ]);
}

// Late on init: SEO plugins (loaded after mu-plugins) register their keys first.
add_action('init', function () {
    foreach (depeche_seo_keys() as $key) {
        depeche_register($key, 'sanitize_text_field', ['view', 'edit']);
    }
    depeche_register(DEPECHE_STORY_KEY, 'sanitize_text_field', ['edit']);
    depeche_register(DEPECHE_NOTE_KEY, 'sanitize_textarea_field', ['edit']);
}, 99);

/** Post ids carrying this story id, any status including trash, oldest first. */
function depeche_find_posts(string $story_id): array {
    $statuses = array_diff(array_keys(get_post_stati()), ['auto-draft', 'inherit']);
    return get_posts([
        'post_type' => 'post',
        'post_status' => array_values($statuses),
        'meta_key' => DEPECHE_STORY_KEY,
        'meta_value' => $story_id,
        'orderby' => 'ID',
        'order' => 'ASC',
        'fields' => 'ids',
        'numberposts' => -1,
        'suppress_filters' => true,
    ]);
}

function depeche_info(): array {
    $user = wp_get_current_user();
    $caps = [];
    foreach (['edit_posts', 'publish_posts', 'edit_others_posts', 'upload_files',
              'manage_categories'] as $cap) {
        $caps[$cap] = current_user_can($cap);
    }
    return [
        'version' => DEPECHE_PLUGIN_VERSION,
        'user' => $user->user_login,
        'roles' => array_values($user->roles),
        'capabilities' => $caps,
    ];
}

// REST: GET /wp/v2/posts?depeche_story_id=... finds the post whatever its status.
add_filter('rest_post_collection_params', function ($params) {
    $params[DEPECHE_STORY_KEY] = [
        'description' => 'Limit to the post carrying this Dépêche story id, any status.',
        'type' => 'string',
    ];
    return $params;
});

add_filter('rest_post_query', function ($args, $request) {
    $story_id = $request->get_param(DEPECHE_STORY_KEY);
    if (is_string($story_id) && $story_id !== '') {
        // Drafts are for editors: anyone else finds nothing, never "all posts".
        $ids = current_user_can('edit_posts') ? depeche_find_posts($story_id) : [];
        $args['post__in'] = $ids ?: [0];
        $args['post_status'] = 'any';
        $args['orderby'] = 'post__in';
        if ($ids) {
            $args['post_status'] = array_values(array_unique(array_map('get_post_status', $ids)));
        }
    }
    return $args;
}, 10, 2);

// One post per story, even when two workers create it at once (a publish that outlived
// its lease beside the worker that took the story over): a create carrying a story id
// holds a MySQL named lock on it until the post and its meta are stored, and is refused
// (409, with the post's id) when a post already carries the story id.
add_filter('rest_pre_insert_post', function ($prepared, $request) {
    $meta = $request->get_param('meta');
    $story_id = is_array($meta) ? ($meta[DEPECHE_STORY_KEY] ?? '') : '';
    if (!empty($prepared->ID) || !is_string($story_id) || $story_id === '') {
        return $prepared;
    }
    global $wpdb;
    $wpdb->get_var($wpdb->prepare('SELECT GET_LOCK(%s, 30)', depeche_lock_name($story_id)));
    $ids = depeche_find_posts($story_id);
    if ($ids) {
        depeche_unlock($story_id);
        return new WP_Error('depeche_story_exists', 'This story already has its post.',
            ['status' => 409, 'post_id' => (int) $ids[0]]);
    }
    return $prepared;
}, 10, 2);

// After the post and its meta are stored (also released when the request ends).
add_action('rest_after_insert_post', function ($post, $request, $creating) {
    $meta = $request->get_param('meta');
    $story_id = is_array($meta) ? ($meta[DEPECHE_STORY_KEY] ?? '') : '';
    if ($creating && is_string($story_id) && $story_id !== '') {
        depeche_unlock($story_id);
    }
}, 10, 3);

function depeche_lock_name(string $story_id): string {
    return 'depeche_story_' . md5($story_id);
}

function depeche_unlock(string $story_id): void {
    global $wpdb;
    $wpdb->get_var($wpdb->prepare('SELECT RELEASE_LOCK(%s)', depeche_lock_name($story_id)));
}

add_action('rest_api_init', function () {
    register_rest_route('depeche/v1', '/info', [
        'methods' => 'GET',
        'permission_callback' => function () {
            return current_user_can('edit_posts');
        },
        'callback' => 'depeche_info',
    ]);
});

// XML-RPC: depeche.info, depeche.findPost and depeche.describeMedia (alt text and caption,
// which wp.uploadFile cannot set).
function depeche_xmlrpc_user(array &$args) {
    global $wp_xmlrpc_server;
    $wp_xmlrpc_server->escape($args);
    $user = $wp_xmlrpc_server->login($args[1], $args[2]);
    return $user ?: $wp_xmlrpc_server->error;
}

// WordPress's XML-RPC server only calls methods given by name, never closures.
function depeche_xmlrpc_info($args) {
    $user = depeche_xmlrpc_user($args);
    return $user instanceof IXR_Error ? $user : depeche_info();
}

function depeche_xmlrpc_find_post($args) {
    $user = depeche_xmlrpc_user($args);
    if ($user instanceof IXR_Error) {
        return $user;
    }
    if (!current_user_can('edit_posts')) {
        return new IXR_Error(401, 'Sorry, you are not allowed to edit posts.');
    }
    $ids = depeche_find_posts(wp_unslash((string) $args[3]));
    return $ids ? (string) $ids[0] : '';
}

function depeche_xmlrpc_describe_media($args) {
    $user = depeche_xmlrpc_user($args);
    if ($user instanceof IXR_Error) {
        return $user;
    }
    $id = (int) $args[3];
    if (get_post_type($id) !== 'attachment' || !current_user_can('edit_post', $id)) {
        return new IXR_Error(401, 'Sorry, you are not allowed to edit this media.');
    }
    update_post_meta($id, '_wp_attachment_image_alt', sanitize_text_field(wp_unslash($args[4])));
    wp_update_post(['ID' => $id, 'post_excerpt' => wp_kses_post(wp_unslash($args[5]))]);
    return true;
}

add_filter('xmlrpc_methods', function ($methods) {
    $methods['depeche.info'] = 'depeche_xmlrpc_info';
    $methods['depeche.findPost'] = 'depeche_xmlrpc_find_post';
    $methods['depeche.describeMedia'] = 'depeche_xmlrpc_describe_media';
    return $methods;
});

// The editor note, in a box beside the draft (block and classic editors alike).
add_action('add_meta_boxes_post', function ($post) {
    $note = get_post_meta($post->ID, DEPECHE_NOTE_KEY, true);
    if ($note === '') {
        return;
    }
    add_meta_box('depeche-editor-note', 'Dépêche : note pour l’éditeur', function () use ($note) {
        echo '<div style="white-space:pre-wrap">' . make_clickable(esc_html($note)) . '</div>';
    }, 'post', 'side', 'high');
});
