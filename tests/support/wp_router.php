<?php
/**
 * Router for `php -S` serving the throwaway WordPress that
 * tests/support/wordpress.py builds.
 *
 * The docroot is a symlink farm onto Debian's /usr/share/wordpress plus our own
 * wp-config.php. PHP resolves symlinks in __FILE__/__DIR__, so core's
 * wp-load.php would compute ABSPATH=/usr/share/wordpress/ and load Debian's
 * wp-config.php (which wants /etc/wordpress/config-*.php). Defining ABSPATH
 * here, before any core file runs, makes WordPress load the docroot's
 * wp-config.php instead.
 *
 * Real static files are served as they are; real .php files run with ABSPATH
 * set; everything else (e.g. /wp-json/wp/v2/posts) goes to index.php, like
 * Apache's usual WordPress rewrite rules.
 */

$genpost_root = rtrim( $_SERVER['DOCUMENT_ROOT'], '/' );
$genpost_path = rawurldecode( (string) parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH ) );
if ( strpos( $genpost_path, '..' ) !== false ) {
	http_response_code( 400 );
	return true;
}
$genpost_file = $genpost_root . $genpost_path;
if ( is_dir( $genpost_file ) && is_file( rtrim( $genpost_file, '/' ) . '/index.php' ) ) {
	$genpost_file  = rtrim( $genpost_file, '/' ) . '/index.php';
	$genpost_path  = rtrim( $genpost_path, '/' ) . '/index.php';
}

if ( is_file( $genpost_file ) && substr( $genpost_file, -4 ) !== '.php' ) {
	return false; // Static asset: let the built-in server send it.
}

if ( ! is_file( $genpost_file ) ) {
	$genpost_path = '/index.php';
	$genpost_file = $genpost_root . '/index.php';
}

define( 'ABSPATH', $genpost_root . '/' );
$_SERVER['SCRIPT_NAME']     = $genpost_path;
$_SERVER['PHP_SELF']        = $genpost_path;
$_SERVER['SCRIPT_FILENAME'] = $genpost_file;
unset( $_SERVER['PATH_INFO'], $_SERVER['ORIG_PATH_INFO'] );
chdir( dirname( $genpost_file ) );
unset( $genpost_root );

// Global scope on purpose: WordPress relies on its globals.
require $genpost_file;
