<?php
/**
 * Plugin Name: REST API closed (tests only)
 * Description: What a "Disable REST API" security plugin does: every REST request refused.
 */
add_filter('rest_authentication_errors', function () {
    return new WP_Error('rest_disabled', 'The REST API is disabled on this site.', ['status' => 403]);
}, 5);
