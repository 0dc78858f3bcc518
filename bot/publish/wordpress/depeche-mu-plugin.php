<?php
/**
 * Plugin Name: Dépêche companion
 * Description: Lets the Dépêche bot store its SEO fields, story id and editor note on its
 *   drafts, and find a post again by its story id (REST and XML-RPC), so that a story never
 *   lands twice. Install as wp-content/mu-plugins/depeche.php (print it: `depeche wp plugin`).
 *   Version 2 adds the least-rights role `depeche_bot`, the AI disclosure added at publishing,
 *   the record of who published, the rewrite request box and media found by source URL.
 *   Version 3 adds the box's notes (dated lines the bot adds: a post revised, a correction
 *   on an edited post, a rewrite done or refused), over REST and XML-RPC.
 *   Version 4 records the bot's posts deleted for good and answers the posts changed since
 *   the bot's last look (REST and XML-RPC), the published ones included.
 * Version: 4
 * License: GPL-3.0-or-later
 */

if (!defined('ABSPATH')) {
    exit;
}

const DEPECHE_PLUGIN_VERSION = '4';
const DEPECHE_STORY_KEY = 'depeche_story_id';
// Protected (underscore) so that themes listing custom fields never show it to readers.
const DEPECHE_NOTE_KEY = '_depeche_editor_note';
// Set by the bot: provenance (JSON), disclosure mode and text, hash of the content it posted.
const DEPECHE_PROVENANCE_KEY = '_depeche_provenance';
const DEPECHE_DISCLOSURE_KEY = '_depeche_disclosure';
const DEPECHE_DISCLOSURE_TEXT_KEY = '_depeche_disclosure_text';
const DEPECHE_HASH_KEY = '_depeche_posted_hash';
// Set here when a person publishes: the bot reads them back at its next sync.
const DEPECHE_PUBLISHED_BY_KEY = '_depeche_published_by';
const DEPECHE_PUBLISHED_AT_KEY = '_depeche_published_at';
const DEPECHE_REVIEWED_BY_KEY = '_depeche_reviewed_by';
// The editor's rewrite request (instruction, ticked box), read back by the bot's sync.
const DEPECHE_REWRITE_KEY = '_depeche_rewrite_instruction';
const DEPECHE_REWRITE_ASKED_KEY = '_depeche_rewrite_requested';
// The box's notes: dated lines, one a line, added by the bot (depeche_add_note) and here.
const DEPECHE_BOX_NOTES_KEY = '_depeche_box_notes';
// On an attachment: the URL the image was downloaded from, so that it is uploaded once.
const DEPECHE_SOURCE_URL_KEY = '_depeche_source_url';
const DEPECHE_ROLE = 'depeche_bot';
// The bot's posts deleted for good (the trash is seen by the sync; a deleted post is not).
const DEPECHE_DELETED_OPTION = 'depeche_deleted_posts';

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
    depeche_register(DEPECHE_PROVENANCE_KEY, 'depeche_sanitize_json', ['edit']);
    foreach ([DEPECHE_DISCLOSURE_TEXT_KEY, DEPECHE_REWRITE_KEY] as $key) {
        depeche_register($key, 'sanitize_textarea_field', ['edit']);
    }
    depeche_register(DEPECHE_BOX_NOTES_KEY, 'depeche_sanitize_lines', ['edit']);
    foreach ([DEPECHE_DISCLOSURE_KEY, DEPECHE_HASH_KEY, DEPECHE_PUBLISHED_BY_KEY,
              DEPECHE_PUBLISHED_AT_KEY, DEPECHE_REVIEWED_BY_KEY,
              DEPECHE_REWRITE_ASKED_KEY] as $key) {
        depeche_register($key, 'sanitize_text_field', ['edit']);
    }
    register_post_meta('attachment', DEPECHE_SOURCE_URL_KEY, [
        'type' => 'string',
        'single' => true,
        'sanitize_callback' => 'esc_url_raw',
        'auth_callback' => 'depeche_may_edit_meta',
        'show_in_rest' => ['schema' => ['type' => 'string', 'context' => ['edit']]],
    ]);
    depeche_add_role();
}, 99);

/** Plain lines without markup; the %XX of a source's URL kept (sanitize_textarea_field
 * would eat them). */
function depeche_sanitize_lines($value): string {
    $lines = preg_split('/\R/', wp_strip_all_tags((string) $value, false));
    return implode("\n", array_filter(array_map('trim', $lines), 'strlen'));
}

/** JSON kept as JSON (a text sanitizer would eat the %XX of the sources' URLs). */
function depeche_sanitize_json($value): string {
    $data = json_decode((string) $value, true);
    return is_array($data)
        ? (string) wp_json_encode($data, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES)
        : '';
}

/**
 * The bot's least-rights role: it writes and edits its own drafts, uploads their images and
 * picks existing categories and tags; it never publishes, so every post waits for a person.
 */
function depeche_add_role(): void {
    $caps = ['read' => true, 'edit_posts' => true, 'delete_posts' => true,
             'upload_files' => true, 'assign_categories' => true, 'assign_post_tags' => true];
    $role = get_role(DEPECHE_ROLE);
    if ($role === null) {
        add_role(DEPECHE_ROLE, 'Dépêche (bot)', $caps);
        return;
    }
    foreach ($caps as $cap => $grant) {
        if (!$role->has_cap($cap)) {
            $role->add_cap($cap, $grant);
        }
    }
}

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
    foreach (['edit_posts', 'publish_posts', 'edit_others_posts', 'edit_published_posts',
              'upload_files', 'manage_categories'] as $cap) {
        $caps[$cap] = current_user_can($cap);
    }
    return [
        'version' => DEPECHE_PLUGIN_VERSION,
        'user' => $user->user_login,
        'roles' => array_values($user->roles),
        'capabilities' => $caps,
        'role_available' => get_role(DEPECHE_ROLE) !== null,
    ];
}

/** Attachment ids whose image was downloaded from this URL, oldest first. */
function depeche_find_media(string $url): array {
    return get_posts([
        'post_type' => 'attachment',
        'post_status' => 'inherit',
        'meta_key' => DEPECHE_SOURCE_URL_KEY,
        'meta_value' => $url,
        'orderby' => 'ID',
        'order' => 'ASC',
        'fields' => 'ids',
        'numberposts' => -1,
        'suppress_filters' => true,
    ]);
}

// REST: GET /wp/v2/media?depeche_source_url=... finds the image already uploaded.
add_filter('rest_attachment_collection_params', function ($params) {
    $params['depeche_source_url'] = [
        'description' => 'Limit to the image downloaded by Dépêche from this URL.',
        'type' => 'string',
    ];
    return $params;
});

add_filter('rest_attachment_query', function ($args, $request) {
    $url = $request->get_param('depeche_source_url');
    if (is_string($url) && $url !== '') {
        $ids = current_user_can('upload_files') ? depeche_find_media($url) : [];
        $args['post__in'] = $ids ?: [0];
        $args['orderby'] = 'post__in';
    }
    return $args;
}, 10, 2);

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

// XML-RPC: the same for wp.newPost, which the mu-plugin wraps (xmlrpc_methods below):
// the caller logs in first (a stranger learns nothing), then the create holds the lock
// until WordPress stored the post and its custom fields, or is refused (fault 409).
function depeche_xmlrpc_new_post($args) {
    global $wp_xmlrpc_server;
    $fields = is_array($args[3] ?? null) ? ($args[3]['custom_fields'] ?? []) : [];
    $story_id = '';
    foreach (is_array($fields) ? $fields : [] as $field) {
        if (is_array($field) && ($field['key'] ?? '') === DEPECHE_STORY_KEY) {
            $story_id = (string) ($field['value'] ?? '');
        }
    }
    $login = $args;  // wp_newPost escapes $args itself: log in with a copy
    if ($story_id === '' || !(depeche_xmlrpc_user($login) instanceof WP_User)) {
        return $wp_xmlrpc_server->wp_newPost($args);
    }
    global $wpdb;
    $wpdb->get_var($wpdb->prepare('SELECT GET_LOCK(%s, 30)', depeche_lock_name($story_id)));
    try {
        if (depeche_find_posts($story_id)) {
            return new IXR_Error(409, 'This story already has its post.');
        }
        return $wp_xmlrpc_server->wp_newPost($args);
    } finally {
        depeche_unlock($story_id);
    }
}

function depeche_lock_name(string $story_id): string {
    return 'depeche_story_' . md5($story_id);
}

function depeche_unlock(string $story_id): void {
    global $wpdb;
    $wpdb->get_var($wpdb->prepare('SELECT RELEASE_LOCK(%s)', depeche_lock_name($story_id)));
}

add_action('rest_api_init', function () {
    register_rest_route('depeche/v1', '/changed-posts', [
        'methods' => 'GET',
        'permission_callback' => function () {
            return current_user_can('edit_posts');
        },
        'callback' => function ($request) {
            return depeche_changed_posts((string) $request->get_param('after'),
                                         (int) $request->get_param('offset'));
        },
    ]);
    register_rest_route('depeche/v1', '/deleted', [
        'methods' => 'GET',
        'permission_callback' => function () {
            return current_user_can('edit_posts');
        },
        'callback' => function ($request) {
            return depeche_deleted_posts((string) $request->get_param('after'));
        },
    ]);
    register_rest_route('depeche/v1', '/info', [
        'methods' => 'GET',
        'permission_callback' => function () {
            return current_user_can('edit_posts');
        },
        'callback' => 'depeche_info',
    ]);
    // For `depeche wp check`: did the request's credentials reach PHP at all? Public, as the
    // question matters when nobody could log in; it answers a yes or no, never a name.
    // The bot's dated line in the box, added to the lines there (never replacing an
    // editor's); `clear_request` also clears the rewrite request it answers. Meta only:
    // the post's content and modification date stay as they are.
    register_rest_route('depeche/v1', '/posts/(?P<id>\\d+)/note', [
        'methods' => 'POST',
        'args' => [
            'line' => ['type' => 'string', 'required' => true],
            'clear_request' => ['type' => 'boolean', 'default' => false],
        ],
        'permission_callback' => function (WP_REST_Request $request) {
            return current_user_can('edit_post', (int) $request['id']);
        },
        'callback' => function (WP_REST_Request $request) {
            return depeche_note((int) $request['id'], (string) $request['line'],
                                (bool) $request['clear_request']);
        },
    ]);
    register_rest_route('depeche/v1', '/credentials-seen', [
        'methods' => 'GET',
        'permission_callback' => '__return_true',
        'callback' => function () {
            $seen = !empty($_SERVER['PHP_AUTH_USER']) || !empty($_SERVER['HTTP_AUTHORIZATION'])
                || !empty($_SERVER['REDIRECT_HTTP_AUTHORIZATION']);
            return ['seen' => $seen];
        },
    ]);
});

// XML-RPC: depeche.info, depeche.findPost, depeche.findMedia, depeche.describeMedia (alt
// text, caption and source URL, which wp.uploadFile cannot set), and for the decisions sync
// depeche.changedPosts and depeche.deletedPosts.
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
    if (isset($args[6]) && $args[6] !== '') {
        update_post_meta($id, DEPECHE_SOURCE_URL_KEY, esc_url_raw(wp_unslash($args[6])));
    }
    return true;
}

function depeche_xmlrpc_add_note($args) {
    $user = depeche_xmlrpc_user($args);
    if ($user instanceof IXR_Error) {
        return $user;
    }
    $id = (int) $args[3];
    if (get_post_type($id) !== 'post' || !current_user_can('edit_post', $id)) {
        return new IXR_Error(401, 'Sorry, you are not allowed to edit this post.');
    }
    $answer = depeche_note($id, wp_unslash((string) $args[4]), !empty($args[5]));
    return $answer instanceof WP_Error ? new IXR_Error(400, $answer->get_error_message()) : true;
}

function depeche_xmlrpc_find_media($args) {
    $user = depeche_xmlrpc_user($args);
    if ($user instanceof IXR_Error) {
        return $user;
    }
    if (!current_user_can('upload_files')) {
        return new IXR_Error(401, 'Sorry, you are not allowed to upload files.');
    }
    $ids = depeche_find_media(wp_unslash((string) $args[3]));
    return $ids ? (string) $ids[0] : '';
}

/**
 * The bot's posts changed after this site time ('' for all), oldest change first, 100 from
 * `offset`, for the decisions sync (REST /depeche/v1/changed-posts, XML-RPC
 * depeche.changedPosts): /wp/v2/posts?context=edit and wp.getPosts both leave out the posts
 * a depeche_bot user may no longer edit, the published ones.
 */
function depeche_changed_posts(string $after, int $offset): array {
    $query = [
        'post_type' => 'post',
        'post_status' => ['publish', 'future', 'draft', 'pending', 'private', 'trash'],
        'meta_key' => DEPECHE_STORY_KEY,
        'orderby' => 'modified',
        'order' => 'ASC',
        'numberposts' => 100,
        'offset' => $offset,
        'suppress_filters' => true,
    ];
    if ($after !== '') {
        $query['date_query'] = [['column' => 'post_modified', 'after' => $after, 'inclusive' => false]];
    }
    $keys = [DEPECHE_STORY_KEY, DEPECHE_HASH_KEY, DEPECHE_PUBLISHED_BY_KEY, DEPECHE_PUBLISHED_AT_KEY,
             DEPECHE_REVIEWED_BY_KEY, DEPECHE_REWRITE_KEY, DEPECHE_REWRITE_ASKED_KEY];
    $posts = [];
    foreach (get_posts($query) as $post) {
        if (!current_user_can('read_post', $post->ID)) {
            continue;
        }
        $meta = [];
        foreach ($keys as $key) {
            $meta[$key] = (string) get_post_meta($post->ID, $key, true);
        }
        $posts[] = ['id' => $post->ID, 'status' => $post->post_status,
                    'modified' => mysql2date('Y-m-d\TH:i:s', $post->post_modified, false),
                    // A draft may carry the zero date in its GMT column: derive it from the site time.
                    'modified_gmt' => get_gmt_from_date($post->post_modified, 'Y-m-d\TH:i:s'),
                    'content' => $post->post_content, 'meta' => $meta];
    }
    return $posts;
}

function depeche_xmlrpc_changed_posts($args) {
    $user = depeche_xmlrpc_user($args);
    if ($user instanceof IXR_Error) {
        return $user;
    }
    if (!current_user_can('edit_posts')) {
        return new IXR_Error(401, 'Sorry, you are not allowed to edit posts.');
    }
    return depeche_changed_posts(wp_unslash((string) ($args[3] ?? '')), (int) ($args[4] ?? 0));
}

function depeche_xmlrpc_deleted_posts($args) {
    $user = depeche_xmlrpc_user($args);
    if ($user instanceof IXR_Error) {
        return $user;
    }
    if (!current_user_can('edit_posts')) {
        return new IXR_Error(401, 'Sorry, you are not allowed to edit posts.');
    }
    return depeche_deleted_posts(wp_unslash((string) ($args[3] ?? '')));
}

add_filter('xmlrpc_methods', function ($methods) {
    $methods['depeche.changedPosts'] = 'depeche_xmlrpc_changed_posts';
    $methods['depeche.deletedPosts'] = 'depeche_xmlrpc_deleted_posts';
    $methods['depeche.info'] = 'depeche_xmlrpc_info';
    $methods['depeche.findPost'] = 'depeche_xmlrpc_find_post';
    $methods['depeche.describeMedia'] = 'depeche_xmlrpc_describe_media';
    $methods['depeche.findMedia'] = 'depeche_xmlrpc_find_media';
    $methods['depeche.addNote'] = 'depeche_xmlrpc_add_note';
    $methods['wp.newPost'] = 'depeche_xmlrpc_new_post';
    return $methods;
});

// A post of the bot deleted for good: recorded (the last 500), so that the bot's next sync
// makes its story rejected (REST /depeche/v1/deleted, XML-RPC depeche.deletedPosts).
add_action('before_delete_post', function ($post_id) {
    $story_id = (string) get_post_meta($post_id, DEPECHE_STORY_KEY, true);
    if ($story_id === '' || get_post_type($post_id) !== 'post') {
        return;
    }
    $deleted = (array) get_option(DEPECHE_DELETED_OPTION, []);
    $deleted[] = ['id' => (int) $post_id, 'story' => $story_id,
                  'deleted' => current_time('Y-m-d\TH:i:s'), 'deleted_gmt' => gmdate('Y-m-d\TH:i:s')];
    update_option(DEPECHE_DELETED_OPTION, array_slice($deleted, -500), false);
});

/** The recorded deletions at or after this site time ('' for all), oldest first. */
function depeche_deleted_posts(string $after): array {
    $deleted = (array) get_option(DEPECHE_DELETED_OPTION, []);
    return array_values(array_filter($deleted, fn($entry) => $entry['deleted'] >= $after));
}

// Publishing: who and when, and the AI disclosure (EU AI Act, art. 50(4)) for a post that no
// person edited or approved. Done here so that it holds even when the bot is not running.
add_action('transition_post_status', function ($new, $old, $post) {
    if ($new === 'publish' && $old !== 'publish' && $post->post_type === 'post') {
        depeche_record_publishing($post);
    }
}, 10, 3);

// A post the bot publishes itself gets its meta after the status change: the hash the bot
// writes last (after reading the post back) is when its publishing is recorded.
function depeche_hash_written($meta_id, $post_id, $key): void {
    if ($key === DEPECHE_HASH_KEY && get_post_status($post_id) === 'publish') {
        depeche_record_publishing(get_post($post_id));
    }
}
add_action('added_post_meta', 'depeche_hash_written', 10, 3);
add_action('updated_post_meta', 'depeche_hash_written', 10, 3);

function depeche_record_publishing(WP_Post $post): void {
    if (get_post_meta($post->ID, DEPECHE_HASH_KEY, true) === ''
        || get_post_meta($post->ID, DEPECHE_PUBLISHED_AT_KEY, true) !== '') {
        return;
    }
    $user = wp_get_current_user();
    update_post_meta($post->ID, DEPECHE_PUBLISHED_BY_KEY, $user->exists() ? $user->user_login : '');
    update_post_meta($post->ID, DEPECHE_PUBLISHED_AT_KEY, gmdate('Y-m-d\TH:i:s\Z'));
    $edited = depeche_edited_by_a_person($post);
    if ($edited && $user->exists() && get_post_meta($post->ID, DEPECHE_REVIEWED_BY_KEY, true) === '') {
        update_post_meta($post->ID, DEPECHE_REVIEWED_BY_KEY, $user->user_login);
    }
    if (depeche_needs_disclosure($post, $edited)) {
        depeche_add_disclosure($post);
    }
}

/** True when the content differs from what the bot posted last (hash stored by the bot). */
function depeche_edited_by_a_person(WP_Post $post): bool {
    $posted = get_post_meta($post->ID, DEPECHE_HASH_KEY, true);
    return $posted !== '' && !hash_equals($posted, hash('sha256', $post->post_content));
}

function depeche_needs_disclosure(WP_Post $post, bool $edited): bool {
    $mode = get_post_meta($post->ID, DEPECHE_DISCLOSURE_KEY, true);
    if ($mode === 'always') {
        return true;
    }
    $approved = get_post_meta($post->ID, DEPECHE_REVIEWED_BY_KEY, true) !== '';
    return $mode === 'unreviewed' && !$edited && !$approved;
}

function depeche_add_disclosure(WP_Post $post): void {
    global $wpdb;
    $text = trim((string) get_post_meta($post->ID, DEPECHE_DISCLOSURE_TEXT_KEY, true));
    if ($text === '' || str_contains($post->post_content, 'depeche-ai-disclosure')) {
        return;
    }
    $block = "\n\n<!-- wp:paragraph {\"className\":\"depeche-ai-disclosure\"} -->\n"
        . '<p class="depeche-ai-disclosure"><em>' . esc_html($text) . "</em></p>\n"
        . '<!-- /wp:paragraph -->';
    // Straight to the row: wp_update_post here would run this hook again and add a revision.
    $wpdb->update($wpdb->posts, ['post_content' => $post->post_content . $block], ['ID' => $post->ID]);
    clean_post_cache($post->ID);
}

// The Dépêche box beside a post of the bot (block and classic editors alike): the editor
// note, the provenance, who reviewed it, the approval and the rewrite request.
add_action('add_meta_boxes_post', function ($post) {
    if (get_post_meta($post->ID, DEPECHE_STORY_KEY, true) === ''
        && get_post_meta($post->ID, DEPECHE_NOTE_KEY, true) === '') {
        return;
    }
    add_meta_box('depeche-editor-note', 'Dépêche', 'depeche_box', 'post', 'side', 'high');
});

function depeche_box(WP_Post $post): void {
    $meta = fn(string $key) => (string) get_post_meta($post->ID, $key, true);
    $note = $meta(DEPECHE_NOTE_KEY);
    if ($note !== '') {
        echo '<div style="white-space:pre-wrap">' . make_clickable(esc_html($note)) . '</div>';
    }
    $provenance = json_decode($meta(DEPECHE_PROVENANCE_KEY), true);
    if (is_array($provenance)) {
        echo '<p><strong>Rédigé par</strong> ' . esc_html($provenance['model'] ?? '?')
            . ' (consigne ' . esc_html($provenance['prompt_version'] ?? '?') . ')</p>';
    }
    $reviewer = $meta(DEPECHE_REVIEWED_BY_KEY);
    echo '<p><strong>Relu par</strong> ' . ($reviewer !== '' ? esc_html($reviewer) : 'personne pour l’instant') . '</p>';
    $published_by = $meta(DEPECHE_PUBLISHED_BY_KEY);
    $published_at = $meta(DEPECHE_PUBLISHED_AT_KEY);
    if ($published_at !== '') {
        echo '<p><strong>Publié par</strong> ' . esc_html($published_by !== '' ? $published_by : '?')
            . ' le ' . esc_html(wp_date('d/m/Y à H:i', strtotime($published_at))) . '</p>';
    }
    wp_nonce_field('depeche_box', 'depeche_box_nonce');
    if ($reviewer === '') {
        echo '<p><label><input type="checkbox" name="depeche_approve" value="1"> '
            . 'J’ai relu et j’approuve ce texte</label></p>';
    }
    if (get_post_status($post) !== 'publish') {
        echo '<p><label for="depeche_rewrite">Consigne de réécriture</label>'
            . '<textarea id="depeche_rewrite" name="depeche_rewrite" rows="3" style="width:100%">'
            . esc_textarea($meta(DEPECHE_REWRITE_KEY)) . '</textarea></p>'
            . '<p><label><input type="checkbox" name="depeche_rewrite_asked" value="1"'
            . checked($meta(DEPECHE_REWRITE_ASKED_KEY), '1', false) . '> Réécrire</label></p>';
    }
    if ($meta(DEPECHE_REWRITE_ASKED_KEY) === '1') {
        echo '<p><em>Réécriture demandée : Dépêche la fera à sa prochaine synchronisation.</em></p>';
    }
    depeche_box_notes($meta(DEPECHE_BOX_NOTES_KEY));
}

/** The dated lines, newest last; a correction stands out, it may change what is true. */
function depeche_box_notes(string $notes): void {
    foreach (array_filter(explode("\n", $notes), 'strlen') as $line) {
        $style = str_contains($line, '⚠') ? 'color:#b32d2e;font-weight:bold' : 'color:#555';
        echo '<p class="depeche-note" style="' . $style . '">' . make_clickable(esc_html($line)) . '</p>';
    }
}

// The box's form, saved with the post (never from REST: the bot writes these keys itself).
add_action('save_post_post', function ($post_id, $post) {
    if (!isset($_POST['depeche_box_nonce'])
        || !wp_verify_nonce(sanitize_key($_POST['depeche_box_nonce']), 'depeche_box')
        || !current_user_can('edit_post', $post_id) || wp_is_post_revision($post_id)) {
        return;
    }
    if (!empty($_POST['depeche_approve'])) {
        update_post_meta($post_id, DEPECHE_REVIEWED_BY_KEY, wp_get_current_user()->user_login);
    }
    if (!isset($_POST['depeche_rewrite'])) {
        return;
    }
    $instruction = sanitize_textarea_field(wp_unslash($_POST['depeche_rewrite']));
    update_post_meta($post_id, DEPECHE_REWRITE_KEY, $instruction);
    $asked = !empty($_POST['depeche_rewrite_asked']) && $instruction !== '';
    if ($asked && $post->post_status === 'publish') {
        $now = 'Le ' . wp_date('d/m/Y') . ' à ' . wp_date('H:i');
        depeche_note($post_id, $now . ' : réécriture refusée : l’article est déjà publié', true);
        $asked = false;
    }
    update_post_meta($post_id, DEPECHE_REWRITE_ASKED_KEY, $asked ? '1' : '');
}, 10, 2);

/** Add a line to the box's notes; with $clear_request, also clear the rewrite request. */
function depeche_note(int $post_id, string $line, bool $clear_request) {
    $line = depeche_sanitize_lines(str_replace(["\r", "\n"], ' ', $line));
    if ($line === '') {
        return new WP_Error('depeche_empty_note', 'An empty note.', ['status' => 400]);
    }
    $notes = (string) get_post_meta($post_id, DEPECHE_BOX_NOTES_KEY, true);
    update_post_meta($post_id, DEPECHE_BOX_NOTES_KEY, trim($notes . "\n" . $line));
    if ($clear_request) {
        update_post_meta($post_id, DEPECHE_REWRITE_ASKED_KEY, '');
        update_post_meta($post_id, DEPECHE_REWRITE_KEY, '');
    }
    return ['notes' => (string) get_post_meta($post_id, DEPECHE_BOX_NOTES_KEY, true)];
}
