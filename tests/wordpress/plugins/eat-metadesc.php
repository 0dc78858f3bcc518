<?php
/**
 * Plugin Name: Eat the meta description (tests only)
 * Description: A plugin that empties _yoast_wpseo_metadesc on save: the field does not stick.
 */
add_filter('sanitize_post_meta__yoast_wpseo_metadesc_for_post', function () {
    return '';
}, 99);
