/*
 * A librdkafka mock cluster driven over stdin, for the probe tests: it speaks the real Kafka
 * protocol on loopback listeners. Built by the test with `cc mock-cluster.c -lrdkafka`.
 *
 *   mock-cluster <brokers>
 *   prints "BOOTSTRAPS <host:port,...>" once ready, then reads one command a line:
 *     topic <name> <partitions> <replication>   create a topic
 *     topic-error <name> <error-code>           every Metadata answer for it carries that error
 *     errors <api-key> <error-code> <count>     push <count> errors for an API (e.g. 3 = Metadata)
 *     clear <api-key>                           drop the pushed errors of an API
 *     down <broker-id> | up <broker-id>         stop / resume accepting connections
 *     apiversion <api-key> <min> <max>          narrow what ApiVersions advertises
 *   and answers each with "OK" or "ERR <reason>". EOF on stdin (the test ended, or died) stops it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

int main(int argc, char **argv) {
        char errstr[512];
        int brokers = argc > 1 ? atoi(argv[1]) : 1;
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        /* The handle only does the cluster's book keeping: keep it quiet. */
        rd_kafka_conf_set(conf, "log_level", "0", errstr, sizeof(errstr));
        rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }
        rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers < 1 ? 1 : brokers);
        if (!mc) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                return 1;
        }
        printf("BOOTSTRAPS %s\n", rd_kafka_mock_cluster_bootstraps(mc));
        fflush(stdout);

        char line[1024];
        while (fgets(line, sizeof(line), stdin)) {
                char name[512];
                int a = 0, b = 0, c = 0;
                rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
                if (sscanf(line, "topic-error %511s %d", name, &a) == 2) {
                        rd_kafka_mock_topic_set_error(mc, name, (rd_kafka_resp_err_t)a);
                } else if (sscanf(line, "topic %511s %d %d", name, &a, &b) == 3) {
                        err = rd_kafka_mock_topic_create(mc, name, a, b);
                } else if (sscanf(line, "errors %d %d %d", &a, &b, &c) == 3) {
                        for (int i = 0; i < c; i++)
                                rd_kafka_mock_push_request_errors(mc, (int16_t)a, 1, (rd_kafka_resp_err_t)b);
                } else if (sscanf(line, "clear %d", &a) == 1) {
                        rd_kafka_mock_clear_request_errors(mc, (int16_t)a);
                } else if (sscanf(line, "down %d", &a) == 1) {
                        err = rd_kafka_mock_broker_set_down(mc, a);
                } else if (sscanf(line, "up %d", &a) == 1) {
                        err = rd_kafka_mock_broker_set_up(mc, a);
                } else if (sscanf(line, "apiversion %d %d %d", &a, &b, &c) == 3) {
                        err = rd_kafka_mock_set_apiversion(mc, (int16_t)a, (int16_t)b, (int16_t)c);
                } else {
                        printf("ERR unknown command\n");
                        fflush(stdout);
                        continue;
                }
                if (err) printf("ERR %s\n", rd_kafka_err2str(err));
                else printf("OK\n");
                fflush(stdout);
        }
        rd_kafka_mock_cluster_destroy(mc);
        rd_kafka_destroy(rk);
        return 0;
}
