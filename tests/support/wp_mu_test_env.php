<?php
/**
 * Plugin Name: genpost test environment
 * Description: Installed only into the throwaway WordPress of the test suite (tests/support/wordpress.py). Keeps it from trying to reach the outside world.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

// No MTA in the test environment: pretend every mail was sent.
add_filter( 'pre_wp_mail', '__return_true' );

// No internet either: answer every outgoing HTTP request at once instead of
// waiting for a timeout (WP_HTTP_BLOCK_EXTERNAL does the same for most hosts).
add_filter(
	'pre_http_request',
	static function ( $response, $args, $url ) {
		$host = (string) wp_parse_url( $url, PHP_URL_HOST );
		if ( in_array( $host, array( '127.0.0.1', 'localhost' ), true ) ) {
			return $response;
		}
		return new WP_Error( 'http_request_blocked', 'genpost tests: no outgoing HTTP' );
	},
	10,
	3
);
