package io.github.ddbstreams.flink.format;

import java.math.BigDecimal;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbImmutable;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;

/** An immutable Enhanced Client item, built through its builder: not a Flink POJO. */
@DynamoDbImmutable(builder = Invoice.Builder.class)
public final class Invoice {
    private final String pk;
    private final BigDecimal amount;

    private Invoice(Builder b) {
        this.pk = b.pk;
        this.amount = b.amount;
    }

    public static Builder builder() {
        return new Builder();
    }

    @DynamoDbPartitionKey
    public String pk() {
        return pk;
    }

    public BigDecimal amount() {
        return amount;
    }

    /** The builder the Enhanced Client fills. */
    public static final class Builder {
        private String pk;
        private BigDecimal amount;

        private Builder() {}

        public Builder pk(String pk) {
            this.pk = pk;
            return this;
        }

        public Builder amount(BigDecimal amount) {
            this.amount = amount;
            return this;
        }

        public Invoice build() {
            return new Invoice(this);
        }
    }
}
