<?php
/**
 * Plugin Name: No application passwords (tests only)
 * Description: What a security plugin's "disable application passwords" switch does.
 */
add_filter('wp_is_application_passwords_available', '__return_false');
