package io.github.ddbstreams.flink.table;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.functions.FunctionDefinition;

/**
 * The event-name predicates pushed into the source: a conjunction of clauses, each "the event name
 * is one of" or "is none of" a set of names. A record that fails it is dropped before any
 * conversion; its position still advances, since the emitter records every record it was given.
 *
 * <p>Only what maps exactly to such a clause is accepted: {@code event_name = 'X'}, {@code
 * event_name <> 'X'}, an {@code OR} of equalities ({@code IN (...)} reaches sources in that form)
 * and an {@code AND} of inequalities ({@code NOT IN (...)}). The event name is never NULL, so no
 * three-valued logic is lost.
 */
@Internal
final class EventNameFilter implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One clause: the name must be in {@code names} ({@code in}) or must not be. */
    private record Clause(Set<String> names, boolean in) implements Serializable {
        boolean test(String eventName) {
            return names.contains(eventName) == in;
        }
    }

    /** Matches every record. */
    static final EventNameFilter ALL = new EventNameFilter(List.of());

    private final List<Clause> clauses;

    private EventNameFilter(List<Clause> clauses) {
        this.clauses = List.copyOf(clauses);
    }

    boolean test(String eventName) {
        for (Clause clause : clauses) {
            if (!clause.test(eventName)) {
                return false;
            }
        }
        return true;
    }

    boolean matchesAll() {
        return clauses.isEmpty();
    }

    /**
     * This filter and {@code filter}, if {@code filter} is a predicate on the field {@code
     * eventNameField} (of the source's produced row) that this class can express.
     */
    Optional<EventNameFilter> and(ResolvedExpression filter, int eventNameField) {
        return clause(filter, eventNameField)
                .map(
                        clause -> {
                            List<Clause> more = new ArrayList<>(clauses);
                            more.add(clause);
                            return new EventNameFilter(more);
                        });
    }

    private static Optional<Clause> clause(ResolvedExpression filter, int field) {
        if (!(filter instanceof CallExpression)) {
            return Optional.empty();
        }
        CallExpression call = (CallExpression) filter;
        FunctionDefinition function = call.getFunctionDefinition();
        if (function == BuiltInFunctionDefinitions.EQUALS
                || function == BuiltInFunctionDefinitions.NOT_EQUALS) {
            return comparedName(call, field)
                    .map(
                            name ->
                                    new Clause(
                                            Set.of(name),
                                            function == BuiltInFunctionDefinitions.EQUALS));
        }
        boolean or = function == BuiltInFunctionDefinitions.OR;
        if (or || function == BuiltInFunctionDefinitions.AND) {
            // OR of '=' is IN; AND of '<>' is NOT IN. Mixed forms stay with the planner.
            FunctionDefinition leaf =
                    or ? BuiltInFunctionDefinitions.EQUALS : BuiltInFunctionDefinitions.NOT_EQUALS;
            Set<String> names = new LinkedHashSet<>();
            for (ResolvedExpression child : call.getResolvedChildren()) {
                if (!(child instanceof CallExpression)
                        || ((CallExpression) child).getFunctionDefinition() != leaf) {
                    return Optional.empty();
                }
                Optional<String> name = comparedName((CallExpression) child, field);
                if (name.isEmpty()) {
                    return Optional.empty();
                }
                names.add(name.get());
            }
            return Optional.of(new Clause(Set.copyOf(names), or));
        }
        return Optional.empty();
    }

    /** The literal that a two-argument comparison compares the event name field with. */
    private static Optional<String> comparedName(CallExpression call, int field) {
        List<ResolvedExpression> args = call.getResolvedChildren();
        if (args.size() != 2) {
            return Optional.empty();
        }
        for (int i = 0; i < 2; i++) {
            ResolvedExpression ref = args.get(i);
            ResolvedExpression other = args.get(1 - i);
            if (ref instanceof FieldReferenceExpression
                    && ((FieldReferenceExpression) ref).getFieldIndex() == field
                    && other instanceof ValueLiteralExpression) {
                return ((ValueLiteralExpression) other).getValueAs(String.class);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EventNameFilter && clauses.equals(((EventNameFilter) o).clauses);
    }

    @Override
    public int hashCode() {
        return clauses.hashCode();
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (Clause clause : clauses) {
            parts.add("event_name " + (clause.in() ? "IN " : "NOT IN ") + clause.names());
        }
        return parts.isEmpty() ? "all events" : String.join(" AND ", parts);
    }
}
