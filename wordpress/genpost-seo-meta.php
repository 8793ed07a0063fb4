<?php
/**
 * Plugin Name: genpost SEO meta
 * Description: Exposes the Yoast SEO and Rank Math title/description/focus-keyword post meta in the REST API, so genpost can set them when it publishes a post.
 * Version:     1.0.0
 * Author:      genpost
 * License:     GPL-2.0-or-later
 *
 * Install as a must-use plugin: copy this file to wp-content/mu-plugins/.
 *
 * Why: Yoast and Rank Math store their per-post SEO fields as ordinary post meta
 * but do not register them for the REST API, so `meta` in POST /wp/v2/posts
 * silently ignores them. Registering them here makes them writable and readable
 * there, whether or not the SEO plugin itself is active.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Meta keys genpost writes. Keys that start with "_" (Yoast's) are "protected
 * meta": WordPress refuses to edit them through the REST API unless the
 * registration's auth_callback grants it, which the callback below does for
 * users who may edit the post.
 */
function genpost_seo_meta_keys() {
	return array(
		'_yoast_wpseo_title',
		'_yoast_wpseo_metadesc',
		'_yoast_wpseo_focuskw',
		'rank_math_title',
		'rank_math_description',
		'rank_math_focus_keyword',
	);
}

/**
 * Only someone who may edit this very post may change (or, for protected keys,
 * see through the edit context) its SEO meta.
 *
 * @param bool   $allowed  Default decision (false for protected keys).
 * @param string $meta_key Meta key.
 * @param int    $post_id  Post ID.
 * @return bool
 */
function genpost_seo_meta_auth( $allowed, $meta_key, $post_id ) {
	return current_user_can( 'edit_post', $post_id );
}

/**
 * No sanitize_callback on purpose: values are stored exactly as sent (REST only
 * checks that they are strings), so what genpost writes is what it reads back.
 * sanitize_text_field() would e.g. drop "%ab"-like sequences and newlines.
 */
function genpost_register_seo_meta() {
	foreach ( genpost_seo_meta_keys() as $key ) {
		register_post_meta(
			'post',
			$key,
			array(
				'type'              => 'string',
				'single'            => true,
				'show_in_rest'      => true,
				'default'           => '',
				'auth_callback'     => 'genpost_seo_meta_auth',
			)
		);
	}
}
add_action( 'init', 'genpost_register_seo_meta' );

