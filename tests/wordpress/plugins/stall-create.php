<?php
/**
 * Plugin Name: Stall a create (tests only)
 * Description: The first create of a post titled "... [en retard]" stalls 4 s before
 *   WordPress looks at it: the worker sending it has outlived its lease meanwhile.
 */
add_filter('rest_pre_insert_post', function ($prepared, $request) {
    $title = (string) $request->get_param('title');
    // add_option is false when the option exists: only the first create stalls.
    if (empty($prepared->ID) && str_contains($title, '[en retard]')
        && add_option('depeche_test_stalled_' . md5($title), '1', '', false)) {
        sleep(4);
    }
    return $prepared;
}, 5, 2);
