package io.github.ddbstreams.flink.format;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbBean;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbPartitionKey;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbSortKey;

/** A mutable Enhanced Client bean with a nested bean, a list of beans and a set. */
@DynamoDbBean
public class Order {
    private String pk;
    private Integer sk;
    private BigDecimal price;
    private String status;
    private Address address;
    private List<Line> lines;
    private Set<String> tags;

    @DynamoDbPartitionKey
    public String getPk() {
        return pk;
    }

    public void setPk(String pk) {
        this.pk = pk;
    }

    @DynamoDbSortKey
    public Integer getSk() {
        return sk;
    }

    public void setSk(Integer sk) {
        this.sk = sk;
    }

    public BigDecimal getPrice() {
        return price;
    }

    public void setPrice(BigDecimal price) {
        this.price = price;
    }

    public String getStatus() {
        return status;
    }

    public void setStatus(String status) {
        this.status = status;
    }

    public Address getAddress() {
        return address;
    }

    public void setAddress(Address address) {
        this.address = address;
    }

    public List<Line> getLines() {
        return lines;
    }

    public void setLines(List<Line> lines) {
        this.lines = lines;
    }

    public Set<String> getTags() {
        return tags;
    }

    public void setTags(Set<String> tags) {
        this.tags = tags;
    }

    /** A nested bean, stored as an M attribute. */
    @DynamoDbBean
    public static class Address {
        private String city;
        private Integer zip;

        public String getCity() {
            return city;
        }

        public void setCity(String city) {
            this.city = city;
        }

        public Integer getZip() {
            return zip;
        }

        public void setZip(Integer zip) {
            this.zip = zip;
        }
    }

    /** An order line, stored as an M inside an L attribute. */
    @DynamoDbBean
    public static class Line {
        private String sku;
        private Long quantity;

        public Line() {}

        public Line(String sku, long quantity) {
            this.sku = sku;
            this.quantity = quantity;
        }

        public String getSku() {
            return sku;
        }

        public void setSku(String sku) {
            this.sku = sku;
        }

        public Long getQuantity() {
            return quantity;
        }

        public void setQuantity(Long quantity) {
            this.quantity = quantity;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Line
                    && Objects.equals(sku, ((Line) o).sku)
                    && Objects.equals(quantity, ((Line) o).quantity);
        }

        @Override
        public int hashCode() {
            return Objects.hash(sku, quantity);
        }

        @Override
        public String toString() {
            return sku + "x" + quantity;
        }
    }
}
