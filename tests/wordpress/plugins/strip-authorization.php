<?php
/**
 * Plugin Name: Strip Authorization (tests only)
 * Description: Does what Apache CGI/FastCGI and some nginx set-ups do: PHP never sees the
 *   Authorization header, so application passwords cannot log anyone in.
 */
unset($_SERVER['HTTP_AUTHORIZATION'], $_SERVER['REDIRECT_HTTP_AUTHORIZATION'],
      $_SERVER['PHP_AUTH_USER'], $_SERVER['PHP_AUTH_PW']);
