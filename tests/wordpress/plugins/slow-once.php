<?php
/**
 * Plugin Name: Slow once (tests only)
 * Description: After WordPress has stored a post titled "... [lent]" (meta included), the
 *   first answer is delayed past the client's timeout: the post exists, the bot never hears.
 */
add_action('rest_after_insert_post', function ($post) {
    if (str_contains($post->post_title, '[lent]') && !get_post_meta($post->ID, '_slow_done', true)) {
        update_post_meta($post->ID, '_slow_done', '1');
        sleep(3);
    }
});
