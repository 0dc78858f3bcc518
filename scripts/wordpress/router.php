<?php
// Router for `php -S ... -t /usr/share/wordpress`: Debian keeps WordPress's code there but
// its content (uploads, mu-plugins) in /var/lib/wordpress/wp-content.
const DEPECHE_CONTENT_ROOT = '/var/lib/wordpress';

$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');

if (str_starts_with($path, '/wp-content/')) {
    $file = realpath(DEPECHE_CONTENT_ROOT . $path);
    if ($file && str_starts_with($file, DEPECHE_CONTENT_ROOT . '/wp-content/')
        && is_file($file) && !str_ends_with($file, '.php')) {
        header('Content-Type: ' . (mime_content_type($file) ?: 'application/octet-stream'));
        header('Content-Length: ' . filesize($file));
        readfile($file);
        return true;
    }
}

if ($path !== '/' && file_exists($_SERVER['DOCUMENT_ROOT'] . $path)) {
    return false;  // a real file (wp-admin, xmlrpc.php, core assets): served as is
}

// Everything else is a pretty permalink or /wp-json/: WordPress's front controller.
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['DOCUMENT_ROOT'] . '/index.php';
