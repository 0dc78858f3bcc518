<?php
/**
 * Plugin Name: XML-RPC blocked (tests only)
 * Description: What a host blocking xmlrpc.php does: a bare 403 page, no XML-RPC answer.
 */
if (basename($_SERVER['SCRIPT_FILENAME'] ?? '') === 'xmlrpc.php') {
    http_response_code(403);
    echo '<html><body>403 Forbidden</body></html>';
    exit;
}
