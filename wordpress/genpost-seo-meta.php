<?php
/**
 * Plugin Name: genpost SEO meta
 * Description: Exposes the Yoast SEO and Rank Math title/description/focus-keyword post meta, and genpost's own mark, in the REST API's edit context, so genpost can set them when it publishes a post.
 * Version:     1.1.0
 * Author:      genpost
 * License:     GPL-2.0-or-later
 *
 * Install as a must-use plugin: copy this file to wp-content/mu-plugins/.
 *
 * Why: Yoast and Rank Math store their per-post SEO fields as ordinary post meta
 * but do not register them for the REST API, so `meta` in POST /wp/v2/posts
 * silently ignores them. Registering them here makes them writable and readable
 * there, whether or not the SEO plugin itself is active.
 *
 * `_genpost_post` is genpost's mark on the posts it creates (the post's slug):
 * genpost updates only posts that carry it, so a person's post is never changed.
 * `_genpost_sha256` is the hash of an image genpost uploaded: a rerun finds the
 * image in the media library instead of uploading it twice.
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Meta keys genpost writes. Keys that start with "_" are "protected meta":
 * WordPress refuses to edit them through the REST API unless the registration's
 * auth_callback grants it, which the callback below does for users who may
 * edit the post.
 */
function genpost_seo_meta_keys() {
	return array(
		'_yoast_wpseo_title',
		'_yoast_wpseo_metadesc',
		'_yoast_wpseo_focuskw',
		'rank_math_title',
		'rank_math_description',
		'rank_math_focus_keyword',
		'_genpost_post',
	);
}

/**
 * Only someone who may edit this very post may change its SEO meta (the
 * default for protected keys would refuse everyone).
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
 * Values are plain text: tags, line breaks and stray whitespace are removed
 * (genpost sends plain one-line text, so what it sends is what it reads back).
 *
 * @param mixed $value The value sent.
 * @return string
 */
function genpost_seo_meta_sanitize( $value ) {
	return sanitize_text_field( (string) $value );
}

/**
 * One string meta field as genpost registers them: edited by editors through the REST
 * API, sanitized as plain text.
 */
function genpost_meta_args() {
	return array(
		'type'              => 'string',
		'single'            => true,
		'show_in_rest'      => array(
			'schema' => array(
				'type'    => 'string',
				'context' => array( 'edit' ),
			),
		),
		'default'           => '',
		'auth_callback'     => 'genpost_seo_meta_auth',
		'sanitize_callback' => 'genpost_seo_meta_sanitize',
	);
}

/**
 * The SEO keys, registered for posts. Shown only in the REST API's edit context (to users who may edit the post),
 * never to anonymous readers: the focus keyword is the site's SEO plan.
 */
function genpost_register_seo_meta() {
	foreach ( genpost_seo_meta_keys() as $key ) {
		register_post_meta( 'post', $key, genpost_meta_args() );
	}
}
add_action( 'init', 'genpost_register_seo_meta' );

/**
 * The hash genpost keeps on the images it uploads, editable and shown like the
 * keys above.
 */
function genpost_register_media_meta() {
	register_post_meta( 'attachment', '_genpost_sha256', genpost_meta_args() );
}
add_action( 'init', 'genpost_register_media_meta' );
