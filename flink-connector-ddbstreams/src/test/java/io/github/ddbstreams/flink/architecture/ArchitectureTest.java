package io.github.ddbstreams.flink.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The connector's design as rules on its main classes, so that a change that breaks the design
 * fails the build instead of waiting for a review. docs/architecture.md describes what the rules
 * protect.
 */
class ArchitectureTest {

    private static final String ROOT = "io.github.ddbstreams.flink";

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages(ROOT);
    }

    /** ARNs <- formats <- the source <- SQL: each layer only uses the ones below it. */
    @Test
    void layersOnlyUseTheLayersBelow() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("arn")
                .definedBy(ROOT + ".arn..")
                .layer("format")
                .definedBy(ROOT + ".format..")
                .layer("source")
                .definedBy(ROOT + ".source..")
                .layer("table")
                .definedBy(ROOT + ".table..")
                .whereLayer("table")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("source")
                .mayOnlyBeAccessedByLayers("table")
                .whereLayer("format")
                .mayOnlyBeAccessedByLayers("source", "table")
                .check(main);
    }

    /**
     * The enumerator (JobManager) and the reader (TaskManagers) share only what travels between
     * them: splits, events and the client seam.
     */
    @Test
    void enumeratorAndReaderDoNotUseEachOther() {
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".source.enumerator..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ROOT + ".source.reader..")
                .check(main);
        noClasses()
                .that()
                .resideInAPackage(ROOT + ".source.reader..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage(ROOT + ".source.enumerator..")
                .check(main);
    }

    /**
     * The enumerator's state and decisions (the shard lineage, the planner and what it owns) are
     * plain Java, tested with events alone: no Flink type but the stability annotations.
     */
    @Test
    void lineageAndAssignmentAreFlinkFree() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        ROOT + ".source.enumerator.lineage..", ROOT + ".source.enumerator.assign..")
                .should()
                .dependOnClassesThat(
                        JavaClass.Predicates.resideInAPackage("org.apache.flink..")
                                .and(
                                        DescribedPredicate.not(
                                                JavaClass.Predicates.resideInAPackage(
                                                        "org.apache.flink.annotation.."))))
                .check(main);
    }

    /** StreamsClient is the only seam to AWS: nothing else holds an SDK DynamoDB client. */
    @Test
    void onlyTheClientPackageUsesTheSdkClients() {
        noClasses()
                .that()
                .resideOutsideOfPackages(ROOT + ".source.client..", ROOT + ".source.aws..")
                .should()
                .dependOnClassesThat()
                .haveNameMatching("software\\.amazon\\.awssdk\\.services\\.dynamodb\\..*Client")
                .check(main);
    }

    @Test
    void mainCodeDoesNotDependOnTestUtilities() {
        noClasses()
                .should()
                .dependOnClassesThat()
                .resideInAPackage("..testutils..")
                .orShould()
                .dependOnClassesThat()
                .resideInAPackage("org.junit..")
                .check(main);
    }

    /** Every public class says whether users may rely on it. */
    @Test
    void publicClassesSayWhetherTheyAreApi() {
        classes()
                .that()
                .arePublic()
                .and()
                .areTopLevelClasses()
                .should()
                .beAnnotatedWith(PublicEvolving.class)
                .orShould()
                .beAnnotatedWith(Internal.class)
                .check(main);
    }
}
