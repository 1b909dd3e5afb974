package io.github.ddbstreams.flink.format;

import java.io.Serializable;
import java.util.function.Predicate;
import org.apache.flink.annotation.PublicEvolving;

/**
 * A {@link Predicate} that can ship with the job graph, so a lambda written for {@link
 * ChangeFilter.Builder#where} is serializable.
 *
 * @param <T> what the predicate tests
 */
@PublicEvolving
@FunctionalInterface
public interface SerializablePredicate<T> extends Predicate<T>, Serializable {}
