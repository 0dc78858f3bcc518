<?php
/**
 * Plugin Name: Fake Yoast (tests only)
 * Description: Registers Yoast's three keys for REST on posts, with its own sanitizer, the
 *   way recent Yoast releases do; records the last value its sanitizer saw for each key.
 */
add_action('init', function () {
    foreach (['_yoast_wpseo_title', '_yoast_wpseo_metadesc', '_yoast_wpseo_focuskw'] as $key) {
        register_post_meta('post', $key, [
            'type' => 'string',
            'single' => true,
            'show_in_rest' => true,
            'auth_callback' => function ($allowed, $meta_key, $post_id) {
                return current_user_can('edit_post', $post_id);
            },
            'sanitize_callback' => function ($value, $meta_key) {
                $seen = get_option('fake_yoast_seen', []);
                $seen[$meta_key] = $value;
                update_option('fake_yoast_seen', $seen);
                return trim($value);
            },
        ]);
    }
});
add_action('rest_api_init', function () {
    register_rest_route('fake-yoast/v1', '/seen', [
        'methods' => 'GET',
        'permission_callback' => '__return_true',
        'callback' => function () {
            return (object) get_option('fake_yoast_seen', []);
        },
    ]);
});
