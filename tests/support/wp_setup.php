<?php
/**
 * Installs WordPress into the database of the throwaway test instance and
 * creates an Application Password for the admin user. Run with php-cli by
 * tests/support/wordpress.py (wp-cli is not packaged in Debian 12):
 *
 *   php wp_setup.php DOCROOT
 *
 * Settings come from the environment (GENPOST_WP_*). Prints one line
 * "GENPOST_WP_SETUP {json}" with the user and the application password.
 */

if ( PHP_SAPI !== 'cli' || $argc < 2 ) {
	fwrite( STDERR, "usage: php wp_setup.php DOCROOT\n" );
	exit( 2 );
}

$docroot = rtrim( $argv[1], '/' );
$env     = static function ( $name, $default = null ) {
	$value = getenv( $name );
	if ( false === $value || '' === $value ) {
		if ( null === $default ) {
			fwrite( STDERR, "wp_setup.php: missing environment variable $name\n" );
			exit( 2 );
		}
		return $default;
	}
	return $value;
};

$url = $env( 'GENPOST_WP_URL' );
$parts = parse_url( $url );
$_SERVER['HTTP_HOST']   = $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
$_SERVER['SERVER_NAME'] = $parts['host'];
$_SERVER['SERVER_PORT'] = isset( $parts['port'] ) ? (string) $parts['port'] : '80';
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';

// See wp_router.php: ABSPATH must point at the docroot so that our
// wp-config.php is loaded, not Debian's.
define( 'ABSPATH', $docroot . '/' );
define( 'WP_INSTALLING', true );
require ABSPATH . 'wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

$user     = $env( 'GENPOST_WP_USER' );
$password = $env( 'GENPOST_WP_PASSWORD' );
$email    = $env( 'GENPOST_WP_EMAIL', $user . '@example.org' );
$title    = $env( 'GENPOST_WP_TITLE', 'genpost Test' );
$locale   = $env( 'GENPOST_WP_LOCALE', 'en_US' );

if ( is_blog_installed() ) {
	fwrite( STDERR, "wp_setup.php: WordPress is already installed in this database\n" );
	exit( 1 );
}

$result = wp_install( $title, $user, $email, false, '', wp_slash( $password ) );
if ( empty( $result['user_id'] ) ) {
	fwrite( STDERR, "wp_setup.php: wp_install failed\n" );
	exit( 1 );
}
$user_id = (int) $result['user_id'];

// Site language. It changes e.g. sanitize_title(): for de_DE "ö" becomes
// "oe" and "ß" becomes "ss" in generated slugs. update_option() would refuse a
// locale whose language files are not installed (Debian: wordpress-l10n), so
// write the option directly: locale-dependent behaviour is German, messages
// stay English.
global $wpdb;
$wpdb->delete( $wpdb->options, array( 'option_name' => 'WPLANG' ) );
$wpdb->insert(
	$wpdb->options,
	array(
		'option_name'  => 'WPLANG',
		'option_value' => 'en_US' === $locale ? '' : $locale,
		'autoload'     => 'yes',
	)
);
wp_cache_delete( 'alloptions', 'options' );
wp_cache_delete( 'WPLANG', 'options' );

// Pretty permalinks so that /wp-json/... works (php -S + wp_router.php send
// every unknown path to index.php; no .htaccess involved).
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%postname%/' );
$wp_rewrite->flush_rules( false );

if ( ! class_exists( 'WP_Application_Passwords' ) ) {
	fwrite( STDERR, "wp_setup.php: this WordPress has no Application Passwords\n" );
	exit( 1 );
}
$created = WP_Application_Passwords::create_new_application_password( $user_id, array( 'name' => 'genpost tests' ) );
if ( is_wp_error( $created ) ) {
	fwrite( STDERR, 'wp_setup.php: ' . $created->get_error_message() . "\n" );
	exit( 1 );
}

echo 'GENPOST_WP_SETUP ' . wp_json_encode(
	array(
		'user_id'      => $user_id,
		'user'         => $user,
		'app_password' => $created[0],
		'wp_version'   => get_bloginfo( 'version' ),
		'locale'       => get_option( 'WPLANG' ),
		'application_passwords_available' => wp_is_application_passwords_available(),
	)
) . "\n";
